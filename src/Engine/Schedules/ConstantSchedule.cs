namespace CudaNet;

/// <summary>Constant learning rate: η(t) = η₀ for every step t.</summary>
public sealed class ConstantSchedule : LearningRateSchedule
{
    /// <inheritdoc/>
    protected override double Compute(long step, double baseLr) => baseLr;
}
