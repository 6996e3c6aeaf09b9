using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.Normalization;

/// <summary>
/// Batch norm with the fused ReLU: on each backend the fused ops give exactly the bits of batch norm followed by a
/// separate ActivationForward / ActivationBackward, and they match the float32 reference on every awkward shape.
/// </summary>
[TestFixture("cpu")]
[TestFixture("cpu-reference")]
[TestFixture("cuda")]
public sealed class FusedReLUTests(string backendName) : ConformanceTest(backendName)
{
    private const double Rtol = Tolerance.ReductionRtol, Atol = Tolerance.ReductionAtol;

    private static IEnumerable<(int Rows, int Columns)> Shapes => TestData.AwkwardShapes.Append((1000, 300));

    [Test]
    public void TrainingAndBackwardEqualTheUnfusedSequenceBitForBit()
    {
        foreach (var (rows, features) in Shapes.Where(s => s.Rows >= 2))
        {
            var (x, dy, gamma, beta, runningMean, runningVar) = Inputs(rows, features);
            var plain = NormRunner.BatchNormTraining(Backend, x, rows, features, gamma, beta, runningMean, runningVar);
            var fused = NormRunner.BatchNormTraining(Backend, x, rows, features, gamma, beta, runningMean, runningVar,
                activation: Activation.ReLU);
            var relu = Relu(plain.Y);
            string shape = $"{(rows, features)}";
            Close.Exact<float>(fused.Y, relu, $"y {shape}");
            Close.Exact<float>(fused.SavedMean, plain.SavedMean, $"saved mean {shape}");
            Close.Exact<float>(fused.SavedInvStd, plain.SavedInvStd, $"saved inv std {shape}");
            Close.Exact<float>(fused.RunningMean, plain.RunningMean, $"running mean {shape}");
            Close.Exact<float>(fused.RunningVar, plain.RunningVar, $"running var {shape}");

            var masked = ReluBackward(dy, plain.Y, relu);
            var expected = NormRunner.BatchNormBackward(Backend, masked, x, rows, features, gamma, plain.SavedMean, plain.SavedInvStd);
            var actual = NormRunner.BatchNormBackward(Backend, dy, x, rows, features, gamma, plain.SavedMean, plain.SavedInvStd,
                fused.Y, Activation.ReLU);
            Close.Exact<float>(actual.Dx, expected.Dx, $"dx {shape}");
            Close.Exact<float>(actual.DGamma, expected.DGamma, $"dgamma {shape}");
            Close.Exact<float>(actual.DBeta, expected.DBeta, $"dbeta {shape}");
        }
    }

    [Test]
    public void InferenceEqualsTheUnfusedSequenceBitForBit()
    {
        foreach (var (rows, features) in Shapes)
        {
            var (x, _, gamma, beta, runningMean, runningVar) = Inputs(rows, features);
            var plain = NormRunner.BatchNormInference(Backend, x, rows, features, gamma, beta, runningMean, runningVar);
            var fused = NormRunner.BatchNormInference(Backend, x, rows, features, gamma, beta, runningMean, runningVar,
                activation: Activation.ReLU);
            Close.Exact<float>(fused, Relu(plain), $"y {(rows, features)}");
        }
    }

    [Test]
    public void FusedFormsMatchTheReference()
    {
        foreach (var (rows, features) in Shapes.Where(s => s.Rows >= 2))
        {
            var (x, dy, gamma, beta, runningMean, runningVar) = Inputs(rows, features);
            var actual = NormRunner.BatchNormTraining(Backend, x, rows, features, gamma, beta, runningMean, runningVar,
                activation: Activation.ReLU);
            var expected = NormRunner.BatchNormTraining(Reference, x, rows, features, gamma, beta, runningMean, runningVar,
                activation: Activation.ReLU);
            string shape = $"{(rows, features)}";
            Close.All<float>(actual.Y, expected.Y, Rtol, Atol, $"y {shape}");
            Close.All<float>(actual.RunningVar, expected.RunningVar, Rtol, Atol, $"running var {shape}");
            // Both backwards mask by the reference's y, so a value at the kink cannot flip between them.
            var actualGrads = NormRunner.BatchNormBackward(Backend, dy, x, rows, features, gamma, expected.SavedMean,
                expected.SavedInvStd, expected.Y, Activation.ReLU);
            var expectedGrads = NormRunner.BatchNormBackward(Reference, dy, x, rows, features, gamma, expected.SavedMean,
                expected.SavedInvStd, expected.Y, Activation.ReLU);
            Close.All<float>(actualGrads.Dx, expectedGrads.Dx, Rtol, Atol, $"dx {shape}");
            Close.All<float>(actualGrads.DGamma, expectedGrads.DGamma, Rtol, Atol, $"dgamma {shape}");
            Close.All<float>(actualGrads.DBeta, expectedGrads.DBeta, Rtol, Atol, $"dbeta {shape}");

            var inference = NormRunner.BatchNormInference(Backend, x, rows, features, gamma, beta, runningMean, runningVar,
                activation: Activation.ReLU);
            var inferenceReference = NormRunner.BatchNormInference(Reference, x, rows, features, gamma, beta, runningMean,
                runningVar, activation: Activation.ReLU);
            Close.All<float>(inference, inferenceReference, Rtol, Atol, $"inference y {shape}");
        }
    }

    /// <summary>The mask is the ReLU's backward on its output: y ≤ 0 (±0 included) stops dy, a NaN output passes it,
    /// exactly as the separate ReLU backward does on the NaN pre-activation that produced it.</summary>
    [Test]
    public void MaskTreatsZerosAndNaNAsTheSeparateReLUBackward()
    {
        const int rows = 4, features = 2;
        float[] y = [0f, 1.5f, -0f, float.NaN, 2f, 0f, 0.25f, 3f];
        float[] dy = [1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f];
        float[] x = [0.5f, -1f, 2f, 0.25f, -0.75f, 1f, 1.5f, -2f];
        float[] gamma = [1.25f, 0.75f], mean = [0.1f, -0.2f], invStd = [1.5f, 0.8f];
        var fused = NormRunner.BatchNormBackward(Backend, dy, x, rows, features, gamma, mean, invStd, y, Activation.ReLU);
        float[] masked = [0f, 2f, 0f, 4f, 5f, 0f, 7f, 8f];
        var expected = NormRunner.BatchNormBackward(Backend, masked, x, rows, features, gamma, mean, invStd);
        Close.Exact<float>(fused.Dx, expected.Dx, "dx");
        Close.Exact<float>(fused.DBeta, [12f, 14f], "dbeta = Σ masked dy");
        Close.Exact<float>(fused.DGamma, expected.DGamma, "dgamma");
    }

    private static (float[] X, float[] Dy, float[] Gamma, float[] Beta, float[] RunningMean, float[] RunningVar) Inputs(
        int rows, int features) =>
        (TestData.Normal<float>(rows + features, rows * features, std: 3),
            TestData.Normal<float>(rows * features + 1, rows * features),
            TestData.Uniform<float>(11, features, 0.5, 1.5), TestData.Uniform<float>(12, features),
            TestData.Uniform<float>(13, features), TestData.Uniform<float>(14, features, 0.5, 2));

    /// <summary>The separate ReLU on this backend.</summary>
    private float[] Relu(float[] z)
    {
        using var input = Backend.FromArray(z, z.Length);
        using var output = Backend.Allocate<float>(z.Length);
        Backend.ActivationForward(output, input, Activation.ReLU);
        return Backend.ToArray(output);
    }

    /// <summary>The separate ReLU backward on this backend, given its input z and output y.</summary>
    private float[] ReluBackward(float[] dy, float[] z, float[] y)
    {
        using var gradient = Backend.FromArray(dy, dy.Length);
        using var input = Backend.FromArray(z, z.Length);
        using var output = Backend.FromArray(y, y.Length);
        using var dx = Backend.Allocate<float>(dy.Length);
        Backend.ActivationBackward(dx, gradient, input, output, Activation.ReLU);
        return Backend.ToArray(dx);
    }
}
