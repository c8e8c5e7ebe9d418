namespace Recur.Cli.Forecasting;

/// <summary>
/// How much of the network's output a forecast keeps, estimated on the validation slice and shrunk
/// toward 0 (the smoothing base alone) by how uncertain that estimate is.
/// </summary>
/// <remarks>
/// The targets z_r (the base's errors, normalised) are regressed on the network's outputs m_r
/// through the origin: ŵ = Σ z m / Σ m², with standard error se = s / √Σ m², s² = Σ (z − ŵ m)² / (R − 1).
/// The share that minimises the expected squared error of w·m, for an estimate ŵ of w with variance se²,
/// is ŵ · w² / (w² + se²); with ŵ² − se² for w² it is ŵ · (1 − 1/t²), t = ŵ / se (the positive-part
/// James–Stein rule in one dimension), clipped to [0, 1]. A network that helps clearly on many
/// validation rows keeps its whole output; a small or noisy gain on a short slice — which early
/// stopping, choosing its epoch on the same rows, makes look better than it is — is shrunk toward the base.
/// </remarks>
internal static class NetworkShare
{
    /// <summary>The shrunk share w ∈ [0, 1] from the validation targets <paramref name="z"/> and outputs <paramref name="m"/> (same length).</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static double Shrunk(IReadOnlyList<double> z, IReadOnlyList<double> m)
    {
        if (z.Count != m.Count) throw new ArgumentException($"{z.Count} targets but {m.Count} outputs; expected one output per target.", nameof(m));
        int n = z.Count;
        double zm = 0, mm = 0;
        for (int r = 0; r < n; r++)
        {
            zm += z[r] * m[r];
            mm += m[r] * m[r];
        }
        if (n < 2 || mm <= 0) return 0;
        double w = zm / mm, rss = 0;
        for (int r = 0; r < n; r++) rss += (z[r] - w * m[r]) * (z[r] - w * m[r]);
        double t2 = w * w * mm / Math.Max(rss / (n - 1), 1e-300);
        return Math.Clamp(w * Math.Max(0, 1 - 1 / t2), 0, 1);
    }
}
