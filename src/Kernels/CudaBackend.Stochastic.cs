namespace CudaNet.Cuda;

// Stochastic family: launchers of kernels.cu's sections philox_mask_forward and gaussian_noise_forward, whose
// masks and noise are bit-identical to the CPU's for the same (seed, offset) (DESIGN.md §6).
public sealed partial class CudaBackend
{
    /// <summary>Elements per Philox block: each thread of the stochastic kernels handles one block.</summary>
    private const int PhiloxWords = 4;

    /// <summary>The grid-stride launch over the Philox blocks of <paramref name="n"/> elements.</summary>
    private LaunchShape PhiloxBlocks(int n) => LaunchGeometry.Elementwise(((long)n + PhiloxWords - 1) / PhiloxWords,
        Multiprocessors);

    /// <summary>Dropout's scale 1/(1-p), computed exactly as the CPU computes it (one IEEE float division of the
    /// float p), so kept elements are the same bits on both.</summary>
    internal static float DropoutScale(float p) => 1.0f / (1.0f - p);

    /// <inheritdoc/>
    protected override void DropoutCore(Tensor<float> y, Tensor<float> x, float p, ulong seed, ulong offset) =>
        PhiloxMask(y, x, p, DropoutScale(p), seed, offset);

    /// <inheritdoc/>
    protected override void DropConnectMaskCore(Tensor<float> wMasked, Tensor<float> w, float p, ulong seed,
        ulong offset) =>
        PhiloxMask(wMasked, w, p, scale: 1.0f, seed, offset);

    /// <inheritdoc/>
    protected override unsafe void AddGaussianNoiseCore(Tensor<float> y, Tensor<float> x, float stddev, ulong seed,
        ulong offset)
    {
        ulong output = Address(y), input = Address(x);
        int n = x.Length;
        Launch(Kernel.GaussianNoiseForward, PhiloxBlocks(n), stackalloc nint[]
        {
            (nint)(&output), (nint)(&input), (nint)(&stddev), (nint)(&n), (nint)(&seed), (nint)(&offset),
        });
    }

    /// <summary>y = keep ? x·scale : +0 with the Philox keep rule of <paramref name="p"/>.</summary>
    private unsafe void PhiloxMask(Tensor<float> y, Tensor<float> x, float p, float scale, ulong seed, ulong offset)
    {
        ulong output = Address(y), input = Address(x);
        int n = x.Length;
        Launch(Kernel.PhiloxMaskForward, PhiloxBlocks(n), stackalloc nint[]
        {
            (nint)(&output), (nint)(&input), (nint)(&p), (nint)(&scale), (nint)(&n), (nint)(&seed), (nint)(&offset),
        });
    }
}
