namespace Recur.Cli.Forecasting;

/// <summary>
/// A seasonal autoregression of the seasonal differences with drift, SARIMA(0,0,0)(1,1,0)ₘ with a
/// constant on the modelled scale v, fitted by least squares. Legend: m period, o origin, j step.
/// <code>
///   w_t = v_t − v_{t−m}                         the seasonal difference
///   w_t = c + Φ·w_{t−m} + ε_t                   c the drift per season, |Φ| &lt; 1
///   ŵ_t = c + Φ·ŵ_{t−m},  v̂_t = v̂_{t−m} + ŵ_t   (ŵ = w and v̂ = v at rows ≤ o)
///   one step: v̂_{o+1} = (1 + Φ)·v_{o+1−m} − Φ·v_{o+1−2m} + c
/// </code>
/// With Φ &lt; 0 each month is forecast from the same month of the last two seasons plus the drift,
/// the structure R's <c>auto.arima</c> finds on short seasonal series; it is combined with the
/// smoothing base (<see cref="SeriesScaler"/>) when the validation slice prefers the combination.
/// </summary>
internal sealed record SeasonalAr(int Period, double Drift, double Phi)
{
    /// <summary>|Φ| is kept below this, so forecasts past a season stay bounded.</summary>
    public const double MaxPhi = 0.99;

    /// <summary>The first origin it forecasts from: w_{o+1−m} needs row o + 1 − 2m.</summary>
    public int FirstOrigin => 2 * Period - 1;

    /// <summary>
    /// The least-squares fit of w_t on w_{t−m} over the rows t = 2m … v.Length − 1, or null with fewer
    /// than a season of such rows (or a period below 2).
    /// </summary>
    public static SeasonalAr? Estimate(ReadOnlySpan<double> v, int period)
    {
        int m = period, rows = v.Length - 2 * m;
        if (m < 2 || rows < m) return null;
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (int t = 2 * m; t < v.Length; t++)
        {
            double x = v[t - m] - v[t - 2 * m], y = v[t] - v[t - m]; // w_{t−m}, w_t
            sx += x;
            sy += y;
            sxx += x * x;
            sxy += x * y;
        }
        // Φ = cov(w_{t−m}, w_t) / var(w_{t−m}), c = mean(w_t) − Φ·mean(w_{t−m}); Φ = 0 when w_{t−m} does not vary.
        double variance = sxx - sx * sx / rows;
        double phi = variance > 1e-12 * Math.Max(1, sxx) ? (sxy - sx * sy / rows) / variance : 0;
        phi = Math.Clamp(phi, -MaxPhi, MaxPhi);
        return new SeasonalAr(m, (sy - phi * sx) / rows, phi);
    }

    /// <summary>v̂_{o+j}, reading v only at rows ≤ o (o ≥ <see cref="FirstOrigin"/>).</summary>
    public double Forecast(IReadOnlyList<double> v, int origin, int step)
    {
        int m = Period;
        Span<double> vHat = step <= 64 ? stackalloc double[step] : new double[step]; // (j) rows o + 1 … o + j
        Span<double> wHat = step <= 64 ? stackalloc double[step] : new double[step];
        for (int k = 0; k < step; k++)
        {
            int back = origin + k + 1 - m; // t − m
            double wBefore = back <= origin ? v[back] - v[back - m] : wHat[back - origin - 1];
            wHat[k] = Drift + Phi * wBefore;
            vHat[k] = (back <= origin ? v[back] : vHat[back - origin - 1]) + wHat[k];
        }
        return vHat[step - 1];
    }
}
