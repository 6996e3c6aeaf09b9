using CudaNet.Cpu;
using CudaNet.Data;
using NUnit.Framework;

namespace CudaNet.Tests.Init;

/// <summary>What initialisation does to a real network (Sequential on the float64 CPU backend): He init keeps
/// activations alive through depth, a too-small init makes them vanish, and a constant init never breaks symmetry.</summary>
public sealed class InitializerTrainingTests
{
    private const int Width = 128, Depth = 20, Rows = 32, Networks = 64;

    /// <summary>Mean square of the input, then of the ReLU outputs of every block, averaged over
    /// <paramref name="networks"/> independently initialised networks.</summary>
    private static double[] SecondMoments(Initializer weightInit, int networks)
    {
        var sum = new double[Depth + 1];
        for (int n = 0; n < networks; n++)
        {
            var moments = SecondMoments(weightInit, seed: (ulong)n);
            for (int i = 0; i <= Depth; i++) sum[i] += moments[i] / networks;
        }
        return sum;
    }

    private static double[] SecondMoments(Initializer weightInit, ulong seed)
    {
        var layers = new List<Layer>();
        for (int i = 0; i < Depth; i++)
        {
            layers.Add(new Dense(Width, Width, weightInit: weightInit, biasInit: Initializer.Zeros));
            layers.Add(new ReLU());
        }
        using var cpu = new CpuBackend<double>();
        using var network = new Sequential([.. layers]).Build(cpu, seed);
        network.Reserve(Rows);
        var input = new double[Rows * Width];
        var random = new HostRandom(99, seed);
        for (int i = 0; i < input.Length; i++) input[i] = random.Normal();
        cpu.Upload(network.Input(Rows), input);
        network.Forward(Rows, training: false);
        return [.. Enumerable.Range(-1, Depth + 1).Select(block => MeanSquare(cpu.ToArray(network.LayerOutput(block < 0 ? -1 : 2 * block + 1))))];

        static double MeanSquare(double[] values) => values.Sum(v => v * v) / values.Length;
    }

    [Test]
    public void HeInitKeepsTheSecondMomentThroughTwentyReLULayers()
    {
        // Var(W) = 2/fan_in doubles what ReLU halves, and pre-activations are symmetric given the layer's input, so
        // E[x_l²] = E[x_0²] exactly, at any width. One network drifts from it, though: log x_l² random-walks with
        // variance ≈ 5l/width (Hanin 2018), ≈ 0.8 at depth 20 and width 128, i.e. a relative sd of ≈ 1.1 that rows of
        // one batch share. Averaged over 64 networks the relative sd is ≈ 0.14, so a factor 2 either way is > 3.5 sd.
        var moments = SecondMoments(Initializer.KaimingNormal(nonlinearity: Nonlinearity.ReLU), Networks);
        double input = moments[0];
        Assert.That(input, Is.EqualTo(1).Within(0.1), "N(0, 1) input");
        foreach (double moment in moments.Skip(1)) Assert.That(moment / input, Is.InRange(0.5, 2.0));
    }

    [Test]
    public void ATooSmallInitMakesActivationsVanish()
    {
        // std 0.01: each block multiplies E[x²] by fan_in·1e-4/2 = 0.0064, so 20 blocks give ~1e-44 of the input's.
        var moments = SecondMoments(Initializer.Normal(0, 0.01), networks: 1);
        for (int i = 1; i < moments.Length; i++) Assert.That(moments[i], Is.LessThan(moments[i - 1] * 0.02));
        Assert.That(moments[^1], Is.LessThan(1e-10 * moments[0]));
    }

    private static double[][] FirstLayerRowsAfterTraining(Initializer init, Initializer biasInit)
    {
        using var cpu = new CpuBackend<double>();
        var model = new Sequential(new Dense(4, 6, weightInit: init, biasInit: biasInit), new Tanh(),
            new Dense(6, 2, weightInit: init, biasInit: biasInit));
        using var session = model.Compile(cpu, new Sgd(0.1, momentum: 0.9), Loss.MeanSquaredError);
        float[] features = [1, -0.5f, 2, 0.25f, -1, 1.5f, 0.5f, -2, 0.75f, 0.5f, -0.25f, 1, 2, 1, -1, 0.5f];
        float[] targets = [1, 0, -0.5f, 2, 0.25f, -1, 1.5f, 0.5f];
        var history = session.Fit(Dataset.WithTargets(features, 4, targets, 2), epochs: 10, options: new FitOptions(BatchSize: 4, Shuffle: false));
        Assert.That(session.Step, Is.EqualTo(10));
        Assert.That(history[^1].Loss, Is.LessThan(history[0].Loss), "the network did train");
        var weight = cpu.ToArray(session.Network.NamedParameters[0].Parameter.Value);
        return [.. Enumerable.Range(0, 6).Select(row => weight[(row * 4)..((row + 1) * 4)])];
    }

    [Test]
    public void ZeroInitLeavesEveryHiddenUnitIdentical()
    {
        // All units start equal, so they get equal gradients and stay equal: the symmetry pitfall. (With zeros
        // the hidden units even stay at 0: tanh(0) = 0 zeroes the second layer's weight gradient, and the zero
        // second layer sends no gradient back.)
        var rows = FirstLayerRowsAfterTraining(Initializer.Zeros, Initializer.Zeros);
        foreach (var row in rows) Assert.That(row, Is.EqualTo(rows[0]));
    }

    [Test]
    public void ConstantInitMovesTheWeightsButNeverBreaksSymmetry()
    {
        var rows = FirstLayerRowsAfterTraining(Initializer.Constant(0.3), Initializer.Zeros);
        Assert.That(rows[0], Is.Not.EqualTo(new[] { 0.3, 0.3, 0.3, 0.3 }), "the first layer did learn");
        // Equal up to the kernels' rounding (units in different SIMD lanes may sum in another order).
        foreach (var row in rows) Assert.That(row, Is.EqualTo(rows[0]).Within(1e-12));
    }

    [Test]
    public void RandomInitBreaksSymmetry()
    {
        var rows = FirstLayerRowsAfterTraining(Initializer.LinearWeightDefault, Initializer.LinearBiasDefault);
        for (int i = 1; i < rows.Length; i++) Assert.That(rows[i].Zip(rows[0], (a, b) => Math.Abs(a - b)).Max(), Is.GreaterThan(1e-3));
    }
}
