using NUnit.Framework;

namespace CudaNet.Tests.Normalization;

/// <summary>Wrong shapes and bad hyperparameters throw ArgumentException naming the op and the argument.</summary>
[TestFixture("cpu")]
[TestFixture("cpu-reference")]
[TestFixture("cuda")]
public sealed class BadArgumentTests(string backendName) : Support.ConformanceTest(backendName)
{
    private static void Throws(Action call, string op, string argument)
    {
        var exception = Assert.Throws<ArgumentException>(call);
        Assert.That(exception!.Message, Does.Contain($"{op}: argument '{argument}'"));
        Assert.That(exception.ParamName, Is.EqualTo(argument));
    }

    private Tensor<float> Zeros(params int[] shape) => Backend.Allocate<float>(shape);

    [Test]
    public void BatchNormForwardTraining()
    {
        using Tensor<float> x = Zeros(4, 3), y = Zeros(4, 3), v = Zeros(3), v2 = Zeros(3), v3 = Zeros(3), v4 = Zeros(3), short_ = Zeros(2);
        using Tensor<float> g = Zeros(3), b = Zeros(3), wrongY = Zeros(3, 4);
        Throws(() => Backend.BatchNormForwardTraining(y, v, v2, v3, v4, x, short_, b, 0.1, 1e-5), "BatchNormForwardTraining", "gamma");
        Throws(() => Backend.BatchNormForwardTraining(wrongY, v, v2, v3, v4, x, g, b, 0.1, 1e-5), "BatchNormForwardTraining", "y");
        Throws(() => Backend.BatchNormForwardTraining(y, v, v2, v3, v4, x, g, b, 1.5, 1e-5), "BatchNormForwardTraining", "momentum");
        Throws(() => Backend.BatchNormForwardTraining(y, v, v2, v3, v4, x, g, b, 0.1, 0), "BatchNormForwardTraining", "eps");
    }

    [Test]
    public void BatchNormForwardInference()
    {
        using Tensor<float> x = Zeros(4, 3), y = Zeros(4, 3), g = Zeros(3), b = Zeros(3), m = Zeros(3), v = Zeros(3), short_ = Zeros(2);
        Throws(() => Backend.BatchNormForwardInference(y, x, g, b, m, short_, 1e-5), "BatchNormForwardInference", "runningVar");
        Throws(() => Backend.BatchNormForwardInference(y, x, g, b, m, v, -1), "BatchNormForwardInference", "eps");
    }

    [Test]
    public void BatchNormBackward()
    {
        using Tensor<float> x = Zeros(4, 3), dx = Zeros(4, 3), wrongDy = Zeros(4, 2), dg = Zeros(3), db = Zeros(3);
        using Tensor<float> g = Zeros(3), m = Zeros(3), s = Zeros(3), oneRow = Zeros(1, 3);
        Throws(() => Backend.BatchNormBackward(dx, dg, db, wrongDy, x, g, m, s), "BatchNormBackward", "dy");
        Throws(() => Backend.BatchNormBackward(oneRow, dg, db, oneRow, oneRow, g, m, s), "BatchNormBackward", "x");
    }

    [Test]
    public void BatchNormFusesOnlyReLUAndItsBackwardNeedsTheOutput()
    {
        using Tensor<float> x = Zeros(4, 3), y = Zeros(4, 3), dx = Zeros(4, 3), dy = Zeros(4, 3), wrongY = Zeros(4, 2);
        using Tensor<float> v = Zeros(3), v2 = Zeros(3), v3 = Zeros(3), v4 = Zeros(3), g = Zeros(3), b = Zeros(3);
        using Tensor<float> flat = Zeros(12), shifted = flat.View(1, 3, 3), base_ = flat.View(0, 3, 3), threeRows = Zeros(3, 3);
        Throws(() => Backend.BatchNormForwardTraining(y, v, v2, v3, v4, x, g, b, 0.1, 1e-5, Activation.Sigmoid),
            "BatchNormForwardTraining", "activation");
        Throws(() => Backend.BatchNormForwardInference(y, x, g, b, v, v2, 1e-5, Activation.LeakyReLU(0.1)),
            "BatchNormForwardInference", "activation");
        Throws(() => Backend.BatchNormBackward(dx, v, v2, dy, x, g, v3, v4, y, Activation.Gelu), "BatchNormBackward", "activation");
        Throws(() => Backend.BatchNormBackward(dx, v, v2, dy, x, g, v3, v4, null, Activation.ReLU), "BatchNormBackward", "y");
        Throws(() => Backend.BatchNormBackward(dx, v, v2, dy, x, g, v3, v4, wrongY, Activation.ReLU), "BatchNormBackward", "y");
        Throws(() => Backend.BatchNormBackward(base_, v, v2, threeRows, threeRows, g, v3, v4, shifted, Activation.ReLU),
            "BatchNormBackward", "dx");
    }

    [Test]
    public void LayerNorm()
    {
        using Tensor<float> x = Zeros(4, 3), y = Zeros(4, 3), g = Zeros(3), b = Zeros(3), m = Zeros(4), s = Zeros(4);
        using Tensor<float> wrongStats = Zeros(3), noFeatures = Zeros(4, 0), none = Zeros(0);
        Throws(() => Backend.LayerNormForward(y, wrongStats, s, x, g, b, 1e-5), "LayerNormForward", "savedMean");
        Throws(() => Backend.LayerNormForward(y, m, s, x, g, b, double.NaN), "LayerNormForward", "eps");
        Throws(() => Backend.LayerNormBackward(y, g, m, x, x, g, m, s), "LayerNormBackward", "dBeta");
        Throws(() => Backend.LayerNormBackward(noFeatures, none, none, noFeatures, noFeatures, none, m, s), "LayerNormBackward", "x");
    }

    [Test]
    public void GroupNorm()
    {
        using Tensor<float> x = Zeros(4, 6), y = Zeros(4, 6), g = Zeros(6), b = Zeros(6), m = Zeros(8), s = Zeros(8), wrongStats = Zeros(4);
        Throws(() => Backend.GroupNormForward(y, m, s, x, g, b, 4, 1e-5), "GroupNormForward", "groups");
        Throws(() => Backend.GroupNormForward(y, m, s, x, g, b, 0, 1e-5), "GroupNormForward", "groups");
        Throws(() => Backend.GroupNormForward(y, m, s, x, g, b, 2, 0), "GroupNormForward", "eps");
        Throws(() => Backend.GroupNormBackward(y, g, b, x, x, g, wrongStats, s, 2), "GroupNormBackward", "savedMean");
        Throws(() => Backend.GroupNormBackward(y, g, b, x, x, g, m, s, 5), "GroupNormBackward", "groups");
    }
}
