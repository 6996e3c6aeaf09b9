namespace CudaNet.Cuda;

/// <summary>The common <c>CUresult</c> codes of the CUDA driver API (values as in <c>cuda.h</c>).</summary>
public enum CudaResult
{
    /// <summary>CUDA_SUCCESS.</summary>
    Success = 0,
    /// <summary>CUDA_ERROR_INVALID_VALUE.</summary>
    InvalidValue = 1,
    /// <summary>CUDA_ERROR_OUT_OF_MEMORY.</summary>
    OutOfMemory = 2,
    /// <summary>CUDA_ERROR_NOT_INITIALIZED.</summary>
    NotInitialized = 3,
    /// <summary>CUDA_ERROR_DEINITIALIZED.</summary>
    Deinitialized = 4,
    /// <summary>CUDA_ERROR_NO_DEVICE.</summary>
    NoDevice = 100,
    /// <summary>CUDA_ERROR_INVALID_DEVICE.</summary>
    InvalidDevice = 101,
    /// <summary>CUDA_ERROR_INVALID_IMAGE.</summary>
    InvalidImage = 200,
    /// <summary>CUDA_ERROR_INVALID_CONTEXT.</summary>
    InvalidContext = 201,
    /// <summary>CUDA_ERROR_NO_BINARY_FOR_GPU.</summary>
    NoBinaryForGpu = 209,
    /// <summary>CUDA_ERROR_ECC_UNCORRECTABLE.</summary>
    EccUncorrectable = 214,
    /// <summary>CUDA_ERROR_INVALID_PTX.</summary>
    InvalidPtx = 218,
    /// <summary>CUDA_ERROR_JIT_COMPILER_NOT_FOUND.</summary>
    JitCompilerNotFound = 221,
    /// <summary>CUDA_ERROR_UNSUPPORTED_PTX_VERSION.</summary>
    UnsupportedPtxVersion = 222,
    /// <summary>CUDA_ERROR_INVALID_HANDLE.</summary>
    InvalidHandle = 400,
    /// <summary>CUDA_ERROR_NOT_FOUND.</summary>
    NotFound = 500,
    /// <summary>CUDA_ERROR_NOT_READY.</summary>
    NotReady = 600,
    /// <summary>CUDA_ERROR_ILLEGAL_ADDRESS (sticky: the context is unusable).</summary>
    IllegalAddress = 700,
    /// <summary>CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES.</summary>
    LaunchOutOfResources = 701,
    /// <summary>CUDA_ERROR_LAUNCH_TIMEOUT (sticky).</summary>
    LaunchTimeout = 702,
    /// <summary>CUDA_ERROR_ASSERT (sticky).</summary>
    Assert = 710,
    /// <summary>CUDA_ERROR_HARDWARE_STACK_ERROR (sticky).</summary>
    HardwareStackError = 714,
    /// <summary>CUDA_ERROR_ILLEGAL_INSTRUCTION (sticky).</summary>
    IllegalInstruction = 715,
    /// <summary>CUDA_ERROR_MISALIGNED_ADDRESS (sticky).</summary>
    MisalignedAddress = 716,
    /// <summary>CUDA_ERROR_INVALID_ADDRESS_SPACE (sticky).</summary>
    InvalidAddressSpace = 717,
    /// <summary>CUDA_ERROR_INVALID_PC (sticky).</summary>
    InvalidPc = 718,
    /// <summary>CUDA_ERROR_LAUNCH_FAILED (sticky).</summary>
    LaunchFailed = 719,
    /// <summary>CUDA_ERROR_NOT_PERMITTED.</summary>
    NotPermitted = 800,
    /// <summary>CUDA_ERROR_NOT_SUPPORTED.</summary>
    NotSupported = 801,
    /// <summary>CUDA_ERROR_SYSTEM_DRIVER_MISMATCH.</summary>
    SystemDriverMismatch = 803,
    /// <summary>CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED.</summary>
    StreamCaptureUnsupported = 900,
    /// <summary>CUDA_ERROR_STREAM_CAPTURE_INVALIDATED.</summary>
    StreamCaptureInvalidated = 901,
    /// <summary>CUDA_ERROR_UNKNOWN.</summary>
    Unknown = 999,
}
