namespace CudaNet.Cpu.Verification;

/// <summary>
/// The sizes each op family is verified at: 0, 1, odd sizes, primes, sizes on either side of the vector widths
/// (4, 8, 16 floats on the CPU; 32-thread warps and 64/128/256-thread blocks on a GPU) and one large case per
/// family, which is where multithreaded chunking and multi-block reductions start.
/// </summary>
internal sealed record VerificationSizes(
    int[] Lengths, (int Rows, int Columns)[] Matrices, (int M, int N, int K)[] GemmShapes, int LargeGemm,
    bool LargeGemmEveryVariant, int[] OptimizerLengths, int OptimizerSteps)
{
    public static VerificationSizes For(VerifySize size) => size switch
    {
        VerifySize.Quick => new(
            [0, 1, 3, 17, 33, 130, 257, 65_537],
            [(0, 5), (1, 1), (2, 3), (4, 0), (7, 33), (64, 65), (300, 301)],
            [(0, 5, 3), (1, 1, 1), (3, 7, 0), (7, 33, 13), (65, 64, 129)],
            LargeGemm: 96, LargeGemmEveryVariant: false, OptimizerLengths: [0, 1, 17, 257, 65_537], OptimizerSteps: 2),
        VerifySize.Standard => new(
            [0, 1, 2, 3, 5, 7, 8, 13, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257, 1021, 1_000_003],
            [(0, 5), (1, 1), (1, 17), (2, 3), (3, 7), (4, 0), (5, 16), (7, 33), (16, 8), (31, 1), (13, 257), (64, 65),
             (128, 10), (1000, 1000)],
            [(0, 5, 3), (1, 1, 1), (1, 17, 3), (2, 3, 5), (3, 7, 0), (5, 16, 17), (7, 33, 13), (16, 8, 64), (31, 1, 257),
             (13, 257, 2), (64, 65, 129), (67, 31, 300), (129, 271, 300)],
            LargeGemm: 384, LargeGemmEveryVariant: false,
            OptimizerLengths: [0, 1, 3, 7, 16, 17, 33, 64, 129, 257, 1021, 1_000_003], OptimizerSteps: 3),
        VerifySize.Full => new(
            [.. Enumerable.Range(0, 258), 509, 1021, 4093, 65_537, 1_000_003, 4_194_319],
            [(0, 5), (1, 1), (1, 17), (2, 3), (3, 7), (4, 0), (5, 16), (7, 33), (16, 8), (31, 1), (13, 257), (64, 65),
             (128, 10), (127, 129), (255, 257), (1000, 1000), (2048, 1001)],
            [(0, 5, 3), (1, 1, 1), (1, 17, 3), (2, 3, 5), (3, 7, 0), (5, 16, 17), (7, 33, 13), (16, 8, 64), (31, 1, 257),
             (13, 257, 2), (4, 32, 256), (64, 65, 129), (65, 64, 255), (67, 31, 300), (70, 70, 70), (128, 10, 784),
             (129, 271, 300), (128, 512, 784), (256, 784, 128)],
            LargeGemm: 1000, LargeGemmEveryVariant: true,
            OptimizerLengths: [.. Enumerable.Range(0, 258), 4093, 1_000_003], OptimizerSteps: 5),
        _ => throw new ArgumentOutOfRangeException(nameof(size), size, "Unknown verification size."),
    };
}
