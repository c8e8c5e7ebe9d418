namespace Recur.Cli.Forecasting;

/// <summary>
/// The residuals a prediction interval is drawn from, for one step j: every one-step-ahead error seen
/// before the test span, not only the validation slice's.
/// </summary>
/// <remarks>
/// A validation slice of a few dozen rows is a small and recent sample of the errors: on the airline
/// data its 19 months err less than the test months, and an interval from them alone covers half the
/// test rows at 80 % nominal. The fit span has many more forecasts, but the network's outputs there are
/// fitted to their targets, so its residuals would be too small. The base's errors there are the
/// in-sample one-step errors that ETS's σ is estimated from; the network changes them by the ratio seen
/// on held-out rows,
/// <code>
///   ρ = Σ_val (z − α·m)² / Σ_val z²     (≤ 1 at one step: α is at most the least-squares share there)
///   pool = { z − α·m : validation } ∪ { √ρ · z : fit span }
/// </code>
/// with z the base's normalised errors, m the members' median and α the network's share. The fit span
/// is thinned evenly (every k-th error, in time order) to at most <see cref="MaxFitErrors"/>, so the
/// quantiles of long series stay cheap; the validation residuals are always all kept.
/// </remarks>
internal static class IntervalResiduals
{
    /// <summary>At most this many fit-span errors per step join the pool.</summary>
    public const int MaxFitErrors = 2000;

    /// <summary>
    /// The pooled residuals of one step from the validation targets <paramref name="validationTargets"/> (z),
    /// their residuals <paramref name="validationResiduals"/> (z − α·m, same length) and the base's errors
    /// <paramref name="fitErrors"/> on the fit span, all in normalised units.
    /// </summary>
    /// <returns>The validation residuals, then the scaled fit-span errors; [0] when both are empty.</returns>
    /// <exception cref="ArgumentException">The two validation lists differ in length.</exception>
    public static double[] Pool(IReadOnlyList<double> validationTargets, IReadOnlyList<double> validationResiduals, IReadOnlyList<double> fitErrors)
    {
        if (validationTargets.Count != validationResiduals.Count)
            throw new ArgumentException($"{validationTargets.Count} validation targets but {validationResiduals.Count} residuals; expected one residual per target.", nameof(validationResiduals));
        double scale = Math.Sqrt(GainRatio(validationTargets, validationResiduals));
        int stride = (fitErrors.Count + MaxFitErrors - 1) / MaxFitErrors;
        var pool = new List<double>(validationResiduals);
        for (int r = 0; r < fitErrors.Count; r += Math.Max(1, stride)) pool.Add(scale * fitErrors[r]);
        return pool.Count > 0 ? pool.ToArray() : [0.0];
    }

    /// <summary>ρ = Σ e² / Σ z², the share of the base's squared validation error the forecast leaves (1 without validation errors).</summary>
    public static double GainRatio(IReadOnlyList<double> targets, IReadOnlyList<double> residuals)
    {
        double zz = 0, ee = 0;
        for (int r = 0; r < targets.Count; r++)
        {
            zz += targets[r] * targets[r];
            ee += residuals[r] * residuals[r];
        }
        return zz > 0 ? ee / zz : 1;
    }
}
