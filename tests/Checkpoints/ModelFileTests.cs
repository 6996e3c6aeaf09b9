using CudaNet.Cpu;
using CudaNet.IO;
using NUnit.Framework;

namespace CudaNet.Tests.Checkpoints;

public sealed class ModelFileTests : CheckpointFixture
{
    private static TrainingSession<T> Trained<T>(CpuBackend<T> cpu, ulong seed = 5) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var session = Mlp(inputs: 20, hidden: 16, classes: 4).Compile(cpu, new Adam(1e-2), Loss.SoftmaxCrossEntropy, seed);
        session.Fit(Synthetic(96, 20, 4, seed: 1), epochs: 2, options: new FitOptions(BatchSize: 32));
        return session;
    }

    private static void AssertSameState<T>(Network<T> expected, Network<T> actual) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var a = expected.StateDict();
        var b = actual.StateDict();
        Assert.That(b.Select(e => e.Key), Is.EqualTo(a.Select(e => e.Key)));
        for (int i = 0; i < a.Count; i++)
        {
            Assert.That(b[i].Value.DType, Is.EqualTo(a[i].Value.DType), a[i].Key);
            Assert.That(b[i].Value.Shape, Is.EqualTo(a[i].Value.Shape), a[i].Key);
            Assert.That(b[i].Value.Data, Is.EqualTo(a[i].Value.Data), a[i].Key);
        }
    }

    [Test]
    public void SavedModelLoadsBackBitIdentically()
    {
        using var cpu = new CpuBackend<float>();
        using var session = Trained(cpu);
        string path = PathOf("model.safetensors");
        session.Network.Save(path);

        using var rebuilt = Network<float>.Load(path, cpu);
        AssertSameState(session.Network, rebuilt);
        Assert.That(rebuilt.Seed, Is.EqualTo(5UL));
        Assert.That(ModelSpec.ToJson(rebuilt.Model), Is.EqualTo(ModelSpec.ToJson(session.Network.Model)));
        Assert.That(rebuilt.Layers[1].Counters.Single().Value, Is.EqualTo(6), "num_batches_tracked: 2 epochs of 3 batches");

        using var other = Mlp(inputs: 20, hidden: 16, classes: 4).Build(cpu, seed: 99);
        other.LoadWeights(path);
        AssertSameState(session.Network, other);

        var input = Support.TestData.Normal<float>(3, 10 * 20);
        var expected = new float[10 * 4];
        session.Predict(input, expected);
        using var evaluator = new TrainingSession<float>(rebuilt, new Adam(), Loss.SoftmaxCrossEntropy);
        var actual = new float[10 * 4];
        evaluator.Predict(input, actual);
        Assert.That(Bits(actual), Is.EqualTo(Bits(expected)));
    }

    [Test]
    public void FileFollowsPyTorchStateDictNamesAndDtypes()
    {
        using var cpu = new CpuBackend<float>();
        using var session = Trained(cpu);
        string path = PathOf("model.safetensors");
        session.Network.Save(path);
        var file = SafeTensors.Load(path);
        Assert.That(file.Names, Is.EqualTo(new[]
        {
            "0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked",
            "4.weight", "4.bias", "6.weight", "6.bias",
        }));
        Assert.That(file.Get("0.weight", SafeTensorDType.F32, 16, 20), Is.Not.Null);
        Assert.That(file.Get("1.num_batches_tracked", SafeTensorDType.I64).ToInt64s(), Is.EqualTo(new[] { 6L }));
        Assert.That(file.Get("1.running_var", SafeTensorDType.F32, 16).ToFloats(), Has.Some.Not.EqualTo(1f), "trained running stats");
        Assert.That(file.Metadata["format"], Is.EqualTo("pt"));
        Assert.That(file.Metadata[Network<float>.SpecMetadataKey], Is.EqualTo(ModelSpec.ToJson(session.Network.Model)));
        Assert.That(file.Metadata[Network<float>.SeedMetadataKey], Is.EqualTo("5"));
        Assert.That(file.Names.Any(n => n.Contains("rng_calls")), Is.False, "Dropout's call count belongs to the training state");
    }

    [Test]
    public void DoubleNetworksSaveF64AndLoadBack()
    {
        using var cpu = new CpuBackend<double>();
        using var session = Trained(cpu);
        string path = PathOf("model.safetensors");
        session.Network.Save(path);
        Assert.That(SafeTensors.Load(path).Tensors["4.weight"].DType, Is.EqualTo(SafeTensorDType.F64));
        using var rebuilt = Network<double>.Load(path, cpu);
        AssertSameState(session.Network, rebuilt);

        using var floats = new CpuBackend<float>();
        using var single = Mlp(inputs: 20, hidden: 16, classes: 4).Build(floats);
        Assert.That(() => single.LoadWeights(path), Throws.InstanceOf<InvalidDataException>()
            .With.Message.Contains("'0.weight' is F64 [16, 20] but F32 [16, 20] was expected"));
    }

    private string Rewrite(string source, Func<List<KeyValuePair<string, SafeTensorEntry>>, IEnumerable<KeyValuePair<string, SafeTensorEntry>>> edit,
        Func<IReadOnlyDictionary<string, string>, Dictionary<string, string>>? metadata = null)
    {
        var file = SafeTensors.Load(source);
        string path = PathOf($"edited-{Guid.NewGuid():N}.safetensors");
        var meta = metadata?.Invoke(file.Metadata) ?? file.Metadata.ToDictionary();
        SafeTensors.Save(path, edit(file.Names.Select(n => new KeyValuePair<string, SafeTensorEntry>(n, file.Tensors[n])).ToList()).ToList(), meta);
        return path;
    }

    private static KeyValuePair<string, SafeTensorEntry> Entry(string name, SafeTensorEntry entry) => new(name, entry);

    [Test]
    public void LoadingValidatesStrictlyAndChangesNothingOnFailure()
    {
        using var cpu = new CpuBackend<float>();
        using var session = Trained(cpu);
        string path = PathOf("model.safetensors");
        session.Network.Save(path);
        using var target = Mlp(inputs: 20, hidden: 16, classes: 4).Build(cpu, seed: 5);
        var before = target.StateDict();

        void Fails(string file, string message)
        {
            Assert.That(() => target.LoadWeights(file), Throws.InstanceOf<InvalidDataException>()
                .With.Message.Contains(file).And.Message.Contains(message));
            Assert.That(target.StateDict().Select(e => e.Value.Data), Is.EqualTo(before.Select(e => e.Value.Data)), "unchanged after " + message);
        }

        Fails(Rewrite(path, t => t.Where(e => e.Key != "4.bias")), "Tensor '4.bias' is missing");
        Fails(Rewrite(path, t => t.Where(e => e.Key != "1.num_batches_tracked")), "'1.num_batches_tracked' is missing");
        Fails(Rewrite(path, t => t.Append(Entry("7.weight", SafeTensorEntry.FromFloats([1f], 1)))), "unexpected tensor '7.weight'");
        Fails(Rewrite(path, t => t.Select(e => e.Key == "6.weight" ? Entry(e.Key, SafeTensorEntry.FromFloats(new float[4 * 15], 4, 15)) : e)),
            "'6.weight' is F32 [4, 15] but F32 [4, 16] was expected");
        Fails(Rewrite(path, t => t.Select(e => e.Key == "1.num_batches_tracked" ? Entry(e.Key, SafeTensorEntry.FromFloats([6f])) : e)),
            "'1.num_batches_tracked' is F32 [] but I64 [] was expected");
        Fails(Rewrite(path, t => t.Select(e => e.Key == "1.num_batches_tracked" ? Entry(e.Key, SafeTensorEntry.FromInt64s([-1L])) : e)),
            "counter '1.num_batches_tracked' is negative");
        Fails(Rewrite(path, t => t, m => m.ToDictionary().With(Network<float>.SpecMetadataKey,
                ModelSpec.ToJson(new Sequential(new Dense(20, 16), new BatchNorm(16), new ReLU(), new Dropout(0.5),
                    new Dense(16, 16), new Tanh(), new Dense(16, 4))))),
            "another architecture: layer 3 is {\"kind\":\"Dropout\",\"p\":0.2} here but {\"kind\":\"Dropout\",\"p\":0.5} in the file");
    }

    [Test]
    public void AnotherArchitectureFailsClearlyWithOrWithoutSpec()
    {
        using var cpu = new CpuBackend<float>();
        using var small = new Sequential(new Dense(20, 8), new ReLU(), new Dense(8, 4)).Build(cpu);
        string path = PathOf("small.safetensors");
        small.Save(path);
        using var mlp = Mlp(inputs: 20, hidden: 16, classes: 4).Build(cpu);
        Assert.That(() => mlp.LoadWeights(path), Throws.InstanceOf<InvalidDataException>()
            .With.Message.Contains("another architecture").And.Message.Contains("layer 0"));
        // A PyTorch-written file carries no spec: the tensor checks still catch the mismatch.
        string bare = Rewrite(path, t => t, _ => new Dictionary<string, string> { ["format"] = "pt" });
        long live = cpu.Allocations.LiveCount;
        Assert.That(() => mlp.LoadWeights(bare), Throws.InstanceOf<InvalidDataException>()
            .With.Message.Contains("'0.weight' is F32 [8, 20] but F32 [16, 20] was expected"));
        Assert.That(() => Network<float>.Load(bare, cpu), Throws.InstanceOf<InvalidDataException>()
            .With.Message.Contains("no 'cudanet.model' metadata"));
        string badSeed = Rewrite(path, t => t, m => m.ToDictionary().With(Network<float>.SeedMetadataKey, "-3"));
        Assert.That(() => Network<float>.Load(badSeed, cpu), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("not an unsigned integer"));
        string wrongShape = Rewrite(path, t => t.Where(e => e.Key != "2.bias"));
        Assert.That(() => Network<float>.Load(wrongShape, cpu), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("'2.bias' is missing"));
        Assert.That(cpu.Allocations.LiveCount, Is.EqualTo(live), "a failed Load frees the network it built");
    }
}

internal static class DictionaryEdits
{
    public static Dictionary<string, string> With(this Dictionary<string, string> metadata, string key, string value)
    {
        metadata[key] = value;
        return metadata;
    }
}
