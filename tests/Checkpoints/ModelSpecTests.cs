using System.Text.Json.Nodes;
using NUnit.Framework;

namespace CudaNet.Tests.Checkpoints;

public sealed class ModelSpecTests
{
    private static Sequential EveryLayer() => new(
        new Dense(6, 8, bias: false, regularizer: new Regularizer(1e-3, 2e-4, IncludeBiases: true), weightNoise: 0.05),
        new BatchNorm(8, eps: 1e-3, momentum: 0.25), new ReLU(), new Dropout(0.3), new LeakyReLU(0.2), new Sigmoid(), new Tanh(),
        new Elu(0.7), new Gelu(), new ActivationLayer(Activation.LeakyReLU(0.05)), new LayerNorm(8, eps: 1e-4),
        new GroupNorm(4, 8, eps: 1e-3), new PReLU(8, init: 0.1), new GaussianNoise(0.3),
        new DropConnect(8, 6, p: 0.4, DropConnectInference.MomentMatching, samples: 50, Activation.Elu(0.5), bias: false,
            regularizer: Regularizer.Lasso(1e-5)),
        new Softmax(), new Dense(6, 3));

    [Test]
    public void EveryBuiltInLayerRoundTrips()
    {
        var model = EveryLayer();
        string json = ModelSpec.ToJson(model);
        var back = ModelSpec.FromJson(json);
        Assert.That(ModelSpec.ToJson(back), Is.EqualTo(json));
        Assert.That(back.Layers.Select(l => l.GetType()), Is.EqualTo(model.Layers.Select(l => l.GetType())));
        var dense = (Dense)back.Layers[0];
        Assert.That((dense.Inputs, dense.Outputs, dense.HasBias, dense.WeightNoise), Is.EqualTo((6, 8, false, 0.05)));
        Assert.That(dense.Regularizer, Is.EqualTo(new Regularizer(1e-3, 2e-4, true)));
        var norm = (BatchNorm)back.Layers[1];
        Assert.That((norm.Features, norm.Eps, norm.Momentum), Is.EqualTo((8, 1e-3, 0.25)));
        Assert.That(((Dropout)back.Layers[3]).P, Is.EqualTo(0.3));
        Assert.That(((ActivationLayer)back.Layers[4]).Activation, Is.EqualTo(Activation.LeakyReLU(0.2)));
        Assert.That(((ActivationLayer)back.Layers[7]).Activation, Is.EqualTo(Activation.Elu(0.7)));
        Assert.That(((ActivationLayer)back.Layers[9]).Activation, Is.EqualTo(Activation.LeakyReLU(0.05)));
        Assert.That(((LayerNorm)back.Layers[10]).Eps, Is.EqualTo(1e-4));
        Assert.That(((GroupNorm)back.Layers[11]).Groups, Is.EqualTo(4));
        Assert.That(((PReLU)back.Layers[12]).Init, Is.EqualTo(0.1));
        Assert.That(((GaussianNoise)back.Layers[13]).StdDev, Is.EqualTo(0.3));
        var dropConnect = (DropConnect)back.Layers[14];
        Assert.That((dropConnect.P, dropConnect.Inference, dropConnect.Samples, dropConnect.Activation, dropConnect.HasBias),
            Is.EqualTo((0.4, DropConnectInference.MomentMatching, 50, Activation.Elu(0.5), false)));
        Assert.That(dropConnect.Regularizer, Is.EqualTo(Regularizer.Lasso(1e-5)));
        Assert.That(back.Layers[^1], Is.TypeOf<Dense>().And.Property("HasBias").True);
    }

    [Test]
    public void EveryPublicLayerTypeOfTheEngineHasAnEntry()
    {
        var model = EveryLayer();
        var covered = model.Layers.Select(l => l.GetType()).ToHashSet();
        var layerTypes = typeof(Layer).Assembly.GetExportedTypes().Where(t => t.IsSubclassOf(typeof(Layer)) && !t.IsAbstract);
        Assert.That(layerTypes.Where(t => !covered.Contains(t)).Select(t => t.Name), Is.Empty,
            "add the layer to ModelSpec.Layers.cs and to EveryLayer()");
    }

    [Test]
    public void ModelsOfEveryLayerTypeSaveAndLoadBitIdentically()
    {
        using var cpu = new Cpu.CpuBackend<float>();
        using var network = EveryLayer().Build(cpu, seed: 17);
        string path = Path.Combine(Path.GetTempPath(), $"cudanet-spec-{Guid.NewGuid():N}.safetensors");
        try
        {
            network.Save(path);
            using var loaded = Network<float>.Load(path, cpu);
            Assert.That(loaded.StateDict().Select(e => (e.Key, e.Value.Data)), Is.EqualTo(network.StateDict().Select(e => (e.Key, e.Value.Data))));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void SpecIsCompactJsonWithKindsAndHyperparameters()
    {
        string json = ModelSpec.ToJson(new Sequential(new Dense(4, 2), new ReLU(), new Dropout(0.1)));
        Assert.That(json, Is.EqualTo("{\"format\":\"cudanet.sequential\",\"version\":1,\"input_features\":4,\"layers\":[" +
                                     "{\"kind\":\"Dense\",\"inputs\":4,\"outputs\":2,\"bias\":true,\"weight_noise\":0}," +
                                     "{\"kind\":\"ReLU\"},{\"kind\":\"Dropout\",\"p\":0.1}]}"));
    }

    [Test]
    public void OptionalFieldsTakeTheConstructorDefaults()
    {
        var model = ModelSpec.FromJson("{\"format\":\"cudanet.sequential\",\"version\":1,\"input_features\":5,\"layers\":[" +
                                       "{\"kind\":\"Dense\",\"inputs\":5,\"outputs\":3},{\"kind\":\"BatchNorm\",\"features\":3},{\"kind\":\"Dropout\"}]}");
        Assert.That(((Dense)model.Layers[0]).HasBias, Is.True);
        Assert.That(((BatchNorm)model.Layers[1]).Eps, Is.EqualTo(1e-5));
        Assert.That(((BatchNorm)model.Layers[1]).Momentum, Is.EqualTo(0.1));
        Assert.That(((Dropout)model.Layers[2]).P, Is.EqualTo(0.5));
    }

    private static string Spec(string layers, int inputs = 4) =>
        $"{{\"format\":\"cudanet.sequential\",\"version\":1,\"input_features\":{inputs},\"layers\":[{layers}]}}";

    private static IEnumerable<TestCaseData> BadSpecs()
    {
        yield return new TestCaseData("{", "not valid JSON").SetName("Broken JSON");
        yield return new TestCaseData("{\"format\":\"keras\",\"version\":1,\"input_features\":4,\"layers\":[]}", "format").SetName("Other format");
        yield return new TestCaseData(Spec("{\"kind\":\"Dense\",\"inputs\":4,\"outputs\":2}").Replace("\"version\":1", "\"version\":9"), "version 9").SetName("Future version");
        yield return new TestCaseData(Spec("{\"kind\":\"Conv2d\"}"), "layer 0 has unknown kind 'Conv2d'").SetName("Unknown kind");
        yield return new TestCaseData(Spec("{\"kind\":\"Dense\",\"inputs\":4,\"outputs\":2,\"bais\":true}"), "unknown field 'bais'").SetName("Misspelt field");
        yield return new TestCaseData(Spec("{\"kind\":\"Dense\",\"inputs\":4}"), "field 'outputs' is missing").SetName("Missing field");
        yield return new TestCaseData(Spec("{\"kind\":\"Dense\",\"inputs\":4,\"outputs\":2.5}"), "'outputs' must be an integer").SetName("Fractional size");
        yield return new TestCaseData(Spec("{\"kind\":\"Dense\",\"inputs\":4,\"outputs\":\"2\"}"), "'outputs' must be an integer").SetName("String size");
        yield return new TestCaseData(Spec("{\"kind\":\"Dense\",\"inputs\":4,\"outputs\":2},{\"kind\":\"Dropout\",\"p\":1.5}"), "layer 1 (Dropout)").SetName("Bad hyperparameter");
        yield return new TestCaseData(Spec("{\"kind\":\"Dense\",\"inputs\":4,\"outputs\":2},{\"kind\":\"Dense\",\"inputs\":3,\"outputs\":2}"), "do not form a model").SetName("Sizes do not chain");
        yield return new TestCaseData(Spec("{\"kind\":\"Dense\",\"inputs\":4,\"outputs\":2}", inputs: 5), "input_features is 5").SetName("Wrong input size");
        yield return new TestCaseData(Spec("{\"kind\":\"Activation\",\"function\":\"Swish\"}"), "unknown activation function 'Swish'").SetName("Unknown activation");
        yield return new TestCaseData(Spec("{\"kind\":\"Dense\",\"inputs\":4,\"outputs\":2,\"regularizer\":{\"l3\":1}}"), "regularizer: unknown field 'l3'").SetName("Bad regularizer");
        yield return new TestCaseData(Spec("{\"kind\":\"Dense\",\"kind\":\"ReLU\",\"inputs\":4,\"outputs\":2}"), "appears twice").SetName("Duplicate field");
        yield return new TestCaseData(Spec("7"), "layer 0 is not a JSON object").SetName("Layer not an object");
    }

    [TestCaseSource(nameof(BadSpecs))]
    public void BadSpecsThrowNamingTheDefect(string json, string message) =>
        Assert.That(() => ModelSpec.FromJson(json), Throws.InstanceOf<InvalidDataException>().With.Message.Contains(message));

    private sealed class Scale(double factor) : ActivationLayer(Activation.Identity)
    {
        public double Factor { get; } = factor;
    }

    private sealed class Unregistered() : ActivationLayer(Activation.Identity);

    [Test]
    public void LayersOfYourOwnNeedOneRegistration()
    {
        var model = new Sequential(new Dense(3, 3), new Unregistered());
        Assert.That(() => ModelSpec.ToJson(model), Throws.InstanceOf<NotSupportedException>()
            .With.Message.Contains("layer 1 (Unregistered) has no spec entry"));

        ModelSpec.Register<Scale>("Tests.Scale", s => new JsonObject { ["factor"] = s.Factor }, a => new Scale(a.Double("factor")));
        var back = ModelSpec.FromJson(ModelSpec.ToJson(new Sequential(new Dense(3, 3), new Scale(2.5))));
        Assert.That(((Scale)back.Layers[1]).Factor, Is.EqualTo(2.5));
        Assert.That(() => ModelSpec.Register<Scale>("Tests.Other", _ => [], _ => new Scale(1)), Throws.ArgumentException);
        Assert.That(() => ModelSpec.Register<Unregistered>("Dense", _ => [], _ => new Unregistered()),
            Throws.ArgumentException.With.Message.Contains("'Dense' is already registered"));
    }
}
