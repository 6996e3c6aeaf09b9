using CudaNet.Cuda;
using NUnit.Framework;

namespace CudaNet.Tests.Cuda;

/// <summary>Every driver failure names the call, the CUresult name and its description.</summary>
[TestFixture]
public sealed class CudaExceptionTests
{
    /// <summary>The names cuda.h gives the codes of <see cref="CudaResult"/>.</summary>
    private static readonly (CudaResult Result, int Code, string Name)[] CudaHeaderNames =
    [
        (CudaResult.Success, 0, "CUDA_SUCCESS"),
        (CudaResult.InvalidValue, 1, "CUDA_ERROR_INVALID_VALUE"),
        (CudaResult.OutOfMemory, 2, "CUDA_ERROR_OUT_OF_MEMORY"),
        (CudaResult.NotInitialized, 3, "CUDA_ERROR_NOT_INITIALIZED"),
        (CudaResult.Deinitialized, 4, "CUDA_ERROR_DEINITIALIZED"),
        (CudaResult.NoDevice, 100, "CUDA_ERROR_NO_DEVICE"),
        (CudaResult.InvalidDevice, 101, "CUDA_ERROR_INVALID_DEVICE"),
        (CudaResult.InvalidImage, 200, "CUDA_ERROR_INVALID_IMAGE"),
        (CudaResult.InvalidContext, 201, "CUDA_ERROR_INVALID_CONTEXT"),
        (CudaResult.NoBinaryForGpu, 209, "CUDA_ERROR_NO_BINARY_FOR_GPU"),
        (CudaResult.EccUncorrectable, 214, "CUDA_ERROR_ECC_UNCORRECTABLE"),
        (CudaResult.InvalidPtx, 218, "CUDA_ERROR_INVALID_PTX"),
        (CudaResult.JitCompilerNotFound, 221, "CUDA_ERROR_JIT_COMPILER_NOT_FOUND"),
        (CudaResult.UnsupportedPtxVersion, 222, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION"),
        (CudaResult.InvalidHandle, 400, "CUDA_ERROR_INVALID_HANDLE"),
        (CudaResult.NotFound, 500, "CUDA_ERROR_NOT_FOUND"),
        (CudaResult.NotReady, 600, "CUDA_ERROR_NOT_READY"),
        (CudaResult.IllegalAddress, 700, "CUDA_ERROR_ILLEGAL_ADDRESS"),
        (CudaResult.LaunchOutOfResources, 701, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES"),
        (CudaResult.LaunchTimeout, 702, "CUDA_ERROR_LAUNCH_TIMEOUT"),
        (CudaResult.Assert, 710, "CUDA_ERROR_ASSERT"),
        (CudaResult.HardwareStackError, 714, "CUDA_ERROR_HARDWARE_STACK_ERROR"),
        (CudaResult.IllegalInstruction, 715, "CUDA_ERROR_ILLEGAL_INSTRUCTION"),
        (CudaResult.MisalignedAddress, 716, "CUDA_ERROR_MISALIGNED_ADDRESS"),
        (CudaResult.InvalidAddressSpace, 717, "CUDA_ERROR_INVALID_ADDRESS_SPACE"),
        (CudaResult.InvalidPc, 718, "CUDA_ERROR_INVALID_PC"),
        (CudaResult.LaunchFailed, 719, "CUDA_ERROR_LAUNCH_FAILED"),
        (CudaResult.NotPermitted, 800, "CUDA_ERROR_NOT_PERMITTED"),
        (CudaResult.NotSupported, 801, "CUDA_ERROR_NOT_SUPPORTED"),
        (CudaResult.SystemDriverMismatch, 803, "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH"),
        (CudaResult.StreamCaptureUnsupported, 900, "CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED"),
        (CudaResult.StreamCaptureInvalidated, 901, "CUDA_ERROR_STREAM_CAPTURE_INVALIDATED"),
        (CudaResult.Unknown, 999, "CUDA_ERROR_UNKNOWN"),
    ];

    [Test]
    public void EveryResultHasItsCudaHeaderValueAndName()
    {
        Assert.That(CudaHeaderNames.Select(entry => entry.Result), Is.EquivalentTo(Enum.GetValues<CudaResult>()));
        using (Assert.EnterMultipleScope())
        {
            foreach (var (result, code, name) in CudaHeaderNames)
            {
                Assert.That((int)result, Is.EqualTo(code), name);
                Assert.That(CudaException.NameOf(result), Is.EqualTo(name));
            }
        }
        Assert.That(CudaException.NameOf((CudaResult)12345), Is.EqualTo("CUDA_ERROR_12345"));
    }

    [Test]
    public void MessageNamesCallErrorNameAndDescription()
    {
        var error = new CudaException("cuMemAlloc_v2", CudaResult.OutOfMemory, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(error.Message, Is.EqualTo("cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (out of memory)"));
            Assert.That(error.Call, Is.EqualTo("cuMemAlloc_v2"));
            Assert.That(error.Result, Is.EqualTo(CudaResult.OutOfMemory));
            Assert.That(error.ErrorName, Is.EqualTo("CUDA_ERROR_OUT_OF_MEMORY"));
            Assert.That(error.Description, Is.EqualTo("out of memory"));
            Assert.That(error.IsSticky, Is.False);
        }
        var jit = new CudaException("cuModuleLoadDataEx", CudaResult.InvalidPtx, "CUDA_ERROR_INVALID_PTX",
            "a PTX JIT compilation failed", "ptxas fatal   : Unresolved extern function 'f'");
        Assert.That(jit.Message, Is.EqualTo("cuModuleLoadDataEx failed: CUDA_ERROR_INVALID_PTX (a PTX JIT compilation " +
                                            "failed)\nptxas fatal   : Unresolved extern function 'f'"));
    }

    [Test]
    public void ThrowIfFailedThrowsOnlyOnFailureNamingTheCall()
    {
        Assert.DoesNotThrow(() => CudaDriver.ThrowIfFailed(CudaResult.Success, "cuInit"));
        var error = Assert.Throws<CudaException>(() => CudaDriver.ThrowIfFailed(CudaResult.IllegalAddress, "cuStreamSynchronize"));
        using (Assert.EnterMultipleScope())
        {
            // Without the driver the name comes from the enum; with it, from cuGetErrorName: the same text.
            Assert.That(error!.Message, Does.StartWith("cuStreamSynchronize failed: CUDA_ERROR_ILLEGAL_ADDRESS ("));
            Assert.That(error.ErrorName, Is.EqualTo("CUDA_ERROR_ILLEGAL_ADDRESS"));
            Assert.That(error.Description, Is.Not.Empty);
            Assert.That(error.IsSticky, Is.True);
        }
    }

    [Test]
    public void StickyResultsAreTheOnesThatPoisonTheContext()
    {
        CudaResult[] sticky =
        [
            CudaResult.IllegalAddress, CudaResult.LaunchFailed, CudaResult.LaunchTimeout, CudaResult.Assert,
            CudaResult.HardwareStackError, CudaResult.IllegalInstruction, CudaResult.MisalignedAddress,
            CudaResult.InvalidAddressSpace, CudaResult.InvalidPc, CudaResult.EccUncorrectable,
        ];
        foreach (var result in Enum.GetValues<CudaResult>())
            Assert.That(CudaException.IsStickyResult(result), Is.EqualTo(sticky.Contains(result)), result.ToString());
    }
}
