using CudaNet.Cpu;
using CudaNet.Cuda;
using NUnit.Framework;

namespace CudaNet.Tests.Cuda;

/// <summary>
/// A machine without the NVIDIA driver gets a reason, never a crash: TryCreate says why, "auto" falls back to the
/// CPU with that reason, "cuda" throws it. These run where the driver library is missing and are ignored elsewhere.
/// </summary>
[TestFixture]
public sealed class AvailabilityWithoutDriverTests
{
    [SetUp]
    public void RequireNoDriver()
    {
        if (CudaDriver.TryLoad(out _))
            Assert.Ignore($"{CudaDriver.LibraryFileName} is installed here: the no-driver behaviour cannot be observed.");
    }

    [Test]
    public void TryCreateReturnsFalseNamingTheDriverLibrary()
    {
        bool created = CudaBackend.TryCreate(out var backend, out string reason);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(created, Is.False);
            Assert.That(backend, Is.Null);
            Assert.That(reason, Does.Contain(CudaDriver.LibraryFileName).And.Contain("not found"));
        }
        // Asking again gives the same answer (the failed load is remembered, not retried into an exception).
        Assert.That(CudaBackend.TryCreate(out _, out string again, device: 3), Is.False);
        Assert.That(again, Is.EqualTo(reason));
    }

    [Test]
    public void AutoFallsBackToTheCpuWithTheReason()
    {
        var choice = Backends.Select("auto");
        using var backend = choice.Backend;
        CudaBackend.TryCreate(out _, out string reason);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(backend, Is.InstanceOf<CpuBackend<float>>());
            Assert.That(backend.Name, Is.EqualTo("cpu"));
            Assert.That(choice.Name, Is.EqualTo("cpu"));
            Assert.That(choice.Reason, Is.EqualTo($"CUDA unavailable: {reason}"));
            Assert.That(choice.ToString(), Is.EqualTo($"cpu (CUDA unavailable: {reason})"));
        }
        // The fallback is a working backend: 3 + 4 = 7 on it.
        using var x = backend.FromArray(new[] { 3f, 4f });
        using var y = backend.Allocate<float>(1, 1);
        backend.RowSum(y, x.Reshape(1, 2));
        Assert.That(backend.ToArray(y), Is.EqualTo(new[] { 7f }));
    }

    [Test]
    public void AskingForCudaThrowsTheReason([Values("cuda", "CUDA", "cuda:0", "cuda:2")] string name)
    {
        CudaBackend.TryCreate(out _, out string reason);
        var error = Assert.Throws<InvalidOperationException>(() => Backends.Create(name));
        Assert.That(error!.Message, Is.EqualTo($"CUDA unavailable: {reason}."));
        Assert.Throws<InvalidOperationException>(() => CudaBackend.Create());
    }
}

/// <summary>Backend names and arguments, on any machine.</summary>
[TestFixture]
public sealed class BackendNameTests
{
    [TestCase("cpu", "cpu")]
    [TestCase(" CPU ", "cpu")]
    [TestCase("cpu-reference", "cpu-reference")]
    public void CpuNamesGiveTheCpuBackendWithoutAReason(string name, string expected)
    {
        var choice = Backends.Select(name);
        using var backend = choice.Backend;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(backend.Name, Is.EqualTo(expected));
            Assert.That(choice.Name, Is.EqualTo(expected));
            Assert.That(choice.Reason, Is.Null);
            Assert.That(choice.ToString(), Is.EqualTo(expected));
        }
        Assert.That(Backends.Create(name), Is.InstanceOf<CpuBackend<float>>().And.Property("Name").EqualTo(expected));
    }

    [TestCase("gpu")]
    [TestCase("")]
    [TestCase("cuda:")]
    [TestCase("cuda:-1")]
    [TestCase("cuda:x")]
    public void UnknownNamesThrowListingTheKnownOnes(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => Backends.Create(name));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(error!.ParamName, Is.EqualTo("name"));
            Assert.That(error.Message, Does.Contain($"'{name}'").And.Contain("auto, cpu, cpu-reference, cuda"));
        }
        Assert.Throws<ArgumentNullException>(() => Backends.Create(null!));
    }

    [Test]
    public void NegativeDeviceIsAnArgumentError() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => CudaBackend.TryCreate(out _, out _, device: -1));
}
