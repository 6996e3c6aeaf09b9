namespace CudaNet.Cuda;

// The opt-in TF32 tensor-core GEMM (DESIGN.md §4): the GemmPrecision setting and the launcher of gemm_tf32_forward,
// which GemmCore calls instead of gemm_forward when the setting is Tf32.
public sealed partial class CudaBackend
{
    /// <summary>The lowest compute capability with TF32 tensor cores and cp.async: 8.0 (Ampere).</summary>
    public static Version Tf32ComputeCapability { get; } = new(8, 0);

    private GemmPrecision _gemmPrecision = GemmPrecision.Float32;

    /// <summary>The arithmetic of every GEMM on this backend: <see cref="GemmPrecision.Float32"/> (the default), or
    /// <see cref="GemmPrecision.Tf32"/> — inputs rounded to TF32 (10-bit mantissa, to nearest, ties away from zero),
    /// exact products summed in float32 on the tensor cores — on compute capability 8.0 or later.</summary>
    /// <exception cref="NotSupportedException">Tf32 on a device below compute capability 8.0 (the message names the
    /// device and its capability), or when the sm_80 kernels did not load (<see cref="ArchitectureFallback"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">Not a <see cref="CudaNet.Cuda.GemmPrecision"/> value.</exception>
    public GemmPrecision GemmPrecision
    {
        get => _gemmPrecision;
        set
        {
            if (!Enum.IsDefined(value)) throw new ArgumentOutOfRangeException(nameof(value), value, "not a GemmPrecision");
            if (value == GemmPrecision.Tf32 && Tf32Unavailable is { } reason) throw new NotSupportedException(reason);
            _gemmPrecision = value;
        }
    }

    /// <summary>Why this backend cannot run TF32 GEMM (the device's compute capability, or the sm_80 module that holds
    /// the kernel did not load), or null when it can.</summary>
    public string? Tf32Unavailable => Tf32Unsupported(Context.Name, Context.ComputeCapability) ??
        (Architecture == "sm_80" ? null : $"TF32 GEMM is in the sm_80 kernels, which did not load: {ArchitectureFallback}.");

    /// <summary>Why a device cannot run TF32 GEMM, or null when it can (compute capability 8.0 or later).</summary>
    public static string? Tf32Unsupported(string deviceName, Version computeCapability) =>
        computeCapability >= Tf32ComputeCapability ? null
            : $"TF32 GEMM needs compute capability {Tf32ComputeCapability} or later (TF32 tensor cores); {deviceName} " +
              $"has compute capability {computeCapability}.";

    private unsafe void GemmTf32(Tensor<float> c, Tensor<float> a, bool transposeA, Tensor<float> b, bool transposeB,
        float alpha, float beta, Tensor<float>? bias, Activation epilogue, int k)
    {
        ulong output = Address(c), left = Address(a), right = Address(b), shift = bias is null ? 0 : Address(bias);
        int m = c.Rows, n = c.Columns, flagA = transposeA ? 1 : 0, flagB = transposeB ? 1 : 0;
        int kind = (int)epilogue.Kind;
        float slope = (float)epilogue.Alpha;
        // 16-byte cp.async copies need what the SIMT kernels' float4 loads need: aligned rows of multiples of 4 floats.
        int asyncCopy = GemmConfiguration.Vectorizable(left, a.Columns, right, b.Columns) ? 1 : 0;
        Launch(Kernel.GemmTf32Forward, Tf32GemmGeometry.Gemm(m, n), stackalloc nint[]
        {
            (nint)(&output), (nint)(&left), (nint)(&right), (nint)(&shift), (nint)(&m), (nint)(&n), (nint)(&k),
            (nint)(&flagA), (nint)(&flagB), (nint)(&alpha), (nint)(&beta), (nint)(&kind), (nint)(&slope),
            (nint)(&asyncCopy),
        });
    }
}
