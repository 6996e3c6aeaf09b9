namespace CudaNet.Cpu.Verification;

/// <summary>
/// Runs verification cases: tensors declared for a case (<see cref="Input(string, float[], int[])"/>,
/// <see cref="Output(string, float[], VerificationTolerance, int[])"/>) get identical data on both backends; then
/// <see cref="Check"/> runs the op on both and turns each output into a row, or <see cref="Rejects"/> expects the
/// backend under test to refuse the call. Every case's tensors are freed when it ends.
/// </summary>
internal sealed class VerificationHarness(IBackend<float> actual, CpuBackend<float> reference, VerificationSizes sizes, int seed)
{
    private readonly List<ITwinTensor> _case = [];
    private int _nextSeed = seed;

    public IBackend<float> Actual => actual;
    public CpuBackend<float> Reference => reference;
    public VerificationSizes Sizes => sizes;
    public List<VerificationRow> Rows { get; } = [];

    /// <summary>An input of the next case: it must come back unchanged.</summary>
    public TwinTensor<float> Input(string name, float[] data, params int[] shape) => Add(name, data, shape, null);

    /// <summary>An integer input (labels, indices) of the next case.</summary>
    public TwinTensor<int> Input(string name, int[] data, params int[] shape) => Add(name, data, shape, null);

    /// <summary>An output of the next case with its initial contents (what β·C, accumulators and state read).</summary>
    public TwinTensor<float> Output(string name, float[] initial, VerificationTolerance tolerance, params int[] shape) =>
        Add(name, initial, shape, tolerance);

    /// <summary>An integer output (a counter).</summary>
    public TwinTensor<int> Output(string name, int[] initial, VerificationTolerance tolerance, params int[] shape) =>
        Add(name, initial, shape, tolerance);

    /// <summary>
    /// Runs <paramref name="call"/> on the backend under test and on the reference and adds one row per output of the
    /// case. A row fails when its output differs, when the op wrote outside it, changed an input, or threw.
    /// </summary>
    public void Check(string op, string caseName, Action<IBackend<float>, Side> call)
    {
        try
        {
            var outputs = _case.Where(t => t.Tolerance is not null).ToList();
            if (outputs.Count == 0) throw new InvalidOperationException($"Verification case {op} {caseName} declares no output.");
            string? actualError = Try(() =>
            {
                call(actual, Side.Actual);
                actual.Synchronize();
            });
            string? referenceError = Try(() => call(reference, Side.Reference));
            string? inputDamage = actualError is null ? FirstDamage(_case.Where(t => t.Tolerance is null)) : null;
            foreach (var output in outputs)
            {
                var tolerance = output.Tolerance!.Value;
                VerificationRow row;
                if (actualError is not null) row = Comparison.Failed(op, caseName, output.Name, tolerance, "threw " + actualError);
                else if (referenceError is not null) row = Comparison.Failed(op, caseName, output.Name, tolerance, "the reference threw " + referenceError);
                else
                {
                    row = Compare(op, caseName, output);
                    if (inputDamage is not null) row = row with { Passed = false, Failure = row.Failure is null ? inputDamage : row.Failure + "; " + inputDamage };
                }
                Rows.Add(row);
            }
        }
        finally
        {
            EndCase();
        }
    }

    /// <summary>
    /// Expects <paramref name="call"/> to throw an <see cref="ArgumentException"/> whose message names
    /// <paramref name="op"/>, on the backend under test, without changing any tensor of the case.
    /// </summary>
    public void Rejects(string op, string caseName, Action<IBackend<float>, Side> call)
    {
        try
        {
            string? failure;
            try
            {
                call(actual, Side.Actual);
                actual.Synchronize();
                failure = "did not throw";
            }
            catch (ArgumentException e)
            {
                failure = e.Message.Contains(op, StringComparison.Ordinal) ? null : $"threw ArgumentException without the op name: {e.Message}";
            }
            catch (Exception e)
            {
                failure = $"threw {e.GetType().Name} instead of ArgumentException: {e.Message}";
            }
            failure ??= FirstDamage(_case);
            Rows.Add(new VerificationRow(op, caseName, "-", VerificationTolerance.Rejects, 0, 0, 0, failure is null, failure));
        }
        finally
        {
            EndCase();
        }
    }

    /// <summary>Adds a row comparing two whole arrays (memory ops, which have no guarded twin).</summary>
    public void Record<TElement>(string op, string caseName, string output, VerificationTolerance tolerance,
        Func<TElement[]> actualValues, TElement[] expected) where TElement : unmanaged, System.Numerics.INumberBase<TElement>
    {
        TElement[]? values = null;
        string? error = Try(() => values = actualValues());
        Rows.Add(error is not null
            ? Comparison.Failed(op, caseName, output, tolerance, "threw " + error)
            : Comparison.Compare(op, caseName, output, tolerance, values!, expected, guard: 0));
    }

    /// <summary>n seeded values uniform in [lo, hi) (a fresh stream for every call).</summary>
    public float[] Uniform(int n, double lo = -1, double hi = 1)
    {
        var random = new Random(_nextSeed++);
        var data = new float[n];
        for (int i = 0; i < n; i++) data[i] = (float)(lo + (hi - lo) * random.NextDouble());
        return data;
    }

    /// <summary>Initial contents of an output that the op overwrites: values it must not leave behind.</summary>
    public float[] Garbage(int n) => Uniform(n, -9, 9);

    /// <summary>n seeded labels in [0, classes).</summary>
    public int[] Labels(int n, int classes)
    {
        var random = new Random(_nextSeed++);
        var labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = random.Next(classes);
        return labels;
    }

    private TwinTensor<TElement> Add<TElement>(string name, TElement[] data, int[] shape, VerificationTolerance? tolerance)
        where TElement : unmanaged, System.Numerics.INumberBase<TElement>
    {
        var twin = new TwinTensor<TElement>(actual, reference, name, data, shape, tolerance);
        _case.Add(twin);
        return twin;
    }

    private static VerificationRow Compare(string op, string caseName, ITwinTensor output)
    {
        VerificationRow? row = null;
        string? error = Try(() => row = output.Compare(op, caseName));
        return row ?? Comparison.Failed(op, caseName, output.Name, output.Tolerance!.Value, "reading the result threw " + error);
    }

    private static string? FirstDamage(IEnumerable<ITwinTensor> tensors)
    {
        foreach (var tensor in tensors)
        {
            string? damage = null;
            string? error = Try(() => damage = tensor.Unchanged());
            if (error is not null) return $"reading '{tensor.Name}' threw {error}";
            if (damage is not null) return damage;
        }
        return null;
    }

    internal static string? Try(Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (Exception e)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }

    private void EndCase()
    {
        foreach (var tensor in _case) tensor.Dispose();
        _case.Clear();
    }
}
