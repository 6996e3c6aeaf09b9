namespace CudaNet.Cli;

/// <summary>Per-class accuracy and the confusion matrix (rows: true class, columns: predicted class, argmax with
/// ties to the first maximum, as the engine counts accuracy).</summary>
internal sealed record ClassificationReport(int[][] Confusion, double[] PerClassAccuracy)
{
    public static ClassificationReport From(float[] logits, int[] labels, int classes)
    {
        var confusion = Enumerable.Range(0, classes).Select(_ => new int[classes]).ToArray();
        for (int n = 0; n < labels.Length; n++)
        {
            var row = logits.AsSpan(n * classes, classes);
            int best = 0;
            for (int c = 1; c < classes; c++)
                if (row[c] > row[best]) best = c;
            confusion[labels[n]][best]++;
        }
        var perClass = confusion.Select((row, c) => row.Sum() == 0 ? double.NaN : row[c] / (double)row.Sum()).ToArray();
        return new ClassificationReport(confusion, perClass);
    }

    public void Print(IReadOnlyList<string> names)
    {
        int classes = Confusion.Length;
        string Name(int c) => c < names.Count ? names[c] : c.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Console.WriteLine();
        Console.WriteLine($"{"class",-14} {"accuracy",8}");
        for (int c = 0; c < classes; c++) Console.WriteLine($"{Name(c),-14} {PerClassAccuracy[c],8:F4}");
        Console.WriteLine();
        Console.WriteLine("confusion matrix (rows: true class, columns: predicted)");
        Console.WriteLine($"{"",-14} " + string.Join(" ", Enumerable.Range(0, classes).Select(c => $"{c,5}")));
        for (int r = 0; r < classes; r++)
            Console.WriteLine($"{$"{r} {Name(r)}",-14} " + string.Join(" ", Confusion[r].Select(v => $"{v,5}")));
    }
}
