using System.Numerics;
using CudaNet.Data;

namespace CudaNet;

/// <summary>One step of a learning-rate range test.</summary>
/// <param name="LearningRate">Learning rate of the update that followed the loss.</param>
/// <param name="Loss">Loss of the step's batch (training mode), before its update.</param>
/// <param name="SmoothedLoss">Bias-corrected exponential moving average of the losses so far.</param>
public readonly record struct LearningRatePoint(double LearningRate, double Loss, double SmoothedLoss);

/// <summary>What a learning-rate range test measured and suggests.</summary>
/// <param name="Points">The curve, one point per step run (the diverging point included).</param>
/// <param name="Diverged">Whether the sweep stopped early because the loss diverged (or went non-finite).</param>
/// <param name="SteepestLearningRate">The suggestion: where the smoothed loss falls fastest against ln(lr)
/// (fastai's <c>steep</c>).</param>
/// <param name="MinimumLossLearningRate">The learning rate of the lowest smoothed loss divided by 10 (fastai's
/// <c>minimum</c>), the more conservative rule of thumb. Both are NaN when not even the first loss was finite.</param>
public sealed record LearningRateSweep(IReadOnlyList<LearningRatePoint> Points, bool Diverged, double SteepestLearningRate,
    double MinimumLossLearningRate)
{
    /// <summary>The suggested learning rate: <see cref="SteepestLearningRate"/>.</summary>
    public double Suggested => SteepestLearningRate;
}

/// <summary>
/// The learning-rate range test (Smith, "Cyclical Learning Rates for Training Neural Networks", 2017; fastai's
/// <c>lr_find</c>): trains one batch per step while the learning rate grows exponentially from <c>startLr</c> to
/// <c>endLr</c>, lr_i = start·(end/start)^(i/(steps-1)), smooths the losses with a bias-corrected moving average
/// a_i = β·a_{i-1} + (1-β)·loss_i, s_i = a_i/(1-β^(i+1)), and stops once s_i &gt; divergeFactor·min_{j≤i} s_j (from
/// the second step on) or a loss is not finite.
/// </summary>
/// <remarks>
/// Suggestion: the learning rate at which the smoothed loss falls fastest, i.e. lr_i minimising
/// (s_{i+1} - s_i)/(ln lr_{i+1} - ln lr_i) over the points after the first tenth of the planned steps (whose
/// average still rests on few losses) and up to the lowest smoothed loss; when that range is empty, the
/// minimum-loss rule (lr at the lowest s, divided by 10). The session is left exactly as it was: parameters,
/// buffers, optimizer state and stochastic-layer counters are restored bit for bit.
/// </remarks>
public static class LearningRateFinder
{
    /// <summary>Runs the range test on <paramref name="session"/> with batches of <paramref name="batchSize"/> rows
    /// drawn from <paramref name="train"/> (full batches only, reshuffled on each pass).</summary>
    public static LearningRateSweep Run<T>(TrainingSession<T> session, Dataset train, double startLr = 1e-7, double endLr = 10,
        int steps = 100, double smoothing = 0.98, double divergeFactor = 4, int batchSize = 64)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(train);
        if (!(startLr > 0) || !double.IsFinite(startLr))
            throw new ArgumentOutOfRangeException(nameof(startLr), startLr, "LearningRateFinder: startLr must be finite and > 0.");
        if (!(endLr > startLr) || !double.IsFinite(endLr))
            throw new ArgumentOutOfRangeException(nameof(endLr), endLr, "LearningRateFinder: endLr must be finite and > startLr.");
        if (steps < 2) throw new ArgumentOutOfRangeException(nameof(steps), steps, "LearningRateFinder: steps must be >= 2.");
        if (!(smoothing is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(smoothing), smoothing, "LearningRateFinder: smoothing must be in [0, 1).");
        if (!(divergeFactor > 1) || !double.IsFinite(divergeFactor))
            throw new ArgumentOutOfRangeException(nameof(divergeFactor), divergeFactor, "LearningRateFinder: divergeFactor must be finite and > 1.");
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "LearningRateFinder: batch size must be >= 1.");

        double LearningRate(int i) => startLr * Math.Pow(endLr / startLr, i / (double)(steps - 1));
        var points = new List<LearningRatePoint>(steps);
        double average = 0, best = double.PositiveInfinity;
        bool diverged = false;
        session.Sweep(train, batchSize, steps, LearningRate, (i, loss) =>
        {
            average = smoothing * average + (1 - smoothing) * loss;
            double smoothed = average / (1 - Math.Pow(smoothing, i + 1));
            points.Add(new LearningRatePoint(LearningRate(i), loss, smoothed));
            if (!double.IsFinite(smoothed) || (i > 0 && smoothed > divergeFactor * best))
            {
                diverged = true;
                return false;
            }
            best = Math.Min(best, smoothed);
            return true;
        });
        var (steepest, minimum) = Suggest(points, diverged, steps / 10);
        return new LearningRateSweep(points, diverged, steepest, minimum);
    }

    private static (double Steepest, double Minimum) Suggest(List<LearningRatePoint> points, bool diverged, int skip)
    {
        // The diverging point is not part of the usable curve.
        int usable = diverged ? points.Count - 1 : points.Count;
        if (usable < 1) return (double.NaN, double.NaN);
        int lowest = 0;
        for (int i = 1; i < usable; i++)
            if (points[i].SmoothedLoss < points[lowest].SmoothedLoss) lowest = i;
        double minimum = points[lowest].LearningRate / 10;
        int steepest = -1;
        double steepestSlope = double.PositiveInfinity;
        for (int i = skip; i < lowest; i++)
        {
            double slope = (points[i + 1].SmoothedLoss - points[i].SmoothedLoss) /
                           (Math.Log(points[i + 1].LearningRate) - Math.Log(points[i].LearningRate));
            if (slope < steepestSlope) (steepest, steepestSlope) = (i, slope);
        }
        return (steepest < 0 ? minimum : points[steepest].LearningRate, minimum);
    }
}
