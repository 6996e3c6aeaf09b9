namespace CudaNet;

/// <summary>
/// A contiguous range of the flat parameter buffer whose parameters share decay and penalties, so one fused
/// optimizer launch updates them all (DESIGN.md §3).
/// </summary>
/// <param name="Offset">First element in the flat buffer.</param>
/// <param name="Length">Elements.</param>
/// <param name="Decay">Whether weight decay applies (weights: yes; biases and norm parameters: no).</param>
/// <param name="L1">L1 penalty of these parameters.</param>
/// <param name="L2">L2 penalty of these parameters.</param>
public sealed record ParameterGroup(int Offset, int Length, bool Decay, double L1, double L2);
