using System.Text;

namespace CudaNet.Cuda;

/// <summary>A CUDA driver call failed: names the call, the <c>CUresult</c> name and the driver's description,
/// e.g. <c>cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (out of memory)</c>.</summary>
public sealed class CudaException : Exception
{
    /// <summary>Creates the exception for <paramref name="call"/> returning <paramref name="result"/>, with the
    /// error name and description given (the driver's, or <see cref="NameOf"/> when it cannot be asked).</summary>
    public CudaException(string call, CudaResult result, string errorName, string description, string? detail = null)
        : base(Format(call, errorName, description, detail))
    {
        Call = call;
        Result = result;
        ErrorName = errorName;
        Description = description;
    }

    /// <summary>The driver entry point that failed, e.g. <c>cuLaunchKernel</c>.</summary>
    public string Call { get; }

    /// <summary>The <c>CUresult</c> it returned.</summary>
    public CudaResult Result { get; }

    /// <summary>The C name of the result, e.g. <c>CUDA_ERROR_ILLEGAL_ADDRESS</c>.</summary>
    public string ErrorName { get; }

    /// <summary>The driver's description of the result (<c>cuGetErrorString</c>).</summary>
    public string Description { get; }

    /// <summary>True for the errors after which the context cannot be used any more (CUDA "sticky" errors):
    /// every later call of the process on that context fails the same way.</summary>
    public bool IsSticky => IsStickyResult(Result);

    /// <summary>True for the sticky results (illegal address, launch failure, …).</summary>
    public static bool IsStickyResult(CudaResult result) => result is CudaResult.IllegalAddress
        or CudaResult.LaunchFailed or CudaResult.LaunchTimeout or CudaResult.Assert or CudaResult.HardwareStackError
        or CudaResult.IllegalInstruction or CudaResult.MisalignedAddress or CudaResult.InvalidAddressSpace
        or CudaResult.InvalidPc or CudaResult.EccUncorrectable;

    /// <summary>The C name of a result without asking the driver: <c>CUDA_SUCCESS</c>, <c>CUDA_ERROR_…</c> in upper
    /// snake case for the codes of <see cref="CudaResult"/>, <c>CUDA_ERROR_&lt;number&gt;</c> for others.</summary>
    public static string NameOf(CudaResult result)
    {
        if (result == CudaResult.Success) return "CUDA_SUCCESS";
        if (!Enum.IsDefined(result)) return $"CUDA_ERROR_{(int)result}";
        string pascal = result.ToString();
        var snake = new StringBuilder("CUDA_ERROR_", 11 + 2 * pascal.Length);
        for (int i = 0; i < pascal.Length; i++)
        {
            if (i > 0 && char.IsUpper(pascal[i])) snake.Append('_');
            snake.Append(char.ToUpperInvariant(pascal[i]));
        }
        return snake.ToString();
    }

    private static string Format(string call, string errorName, string description, string? detail) =>
        $"{call} failed: {errorName} ({description})" + (string.IsNullOrEmpty(detail) ? "" : $"\n{detail}");
}
