namespace Recur.Cli.Forecasting;

/// <summary>
/// A fixed seasonal pattern of period m, additive on the modelled scale (so multiplicative on the
/// original one when the series is modelled in logs): s(t) = index[t mod m], Σ index = 0.
/// </summary>
/// <remarks>
/// Estimated by classical decomposition on the fit span: the trend is the centred moving average
/// of length m (2×m when m is even), index[p] the mean over the rows t ≡ p (mod m) of v_t − trend_t,
/// centred. Long periods (m &gt; <see cref="MaxAdaptivePeriod"/>, e.g. 365 days) have few rows per phase, so their index is
/// smoothed to its first <see cref="LongPeriodHarmonics"/> Fourier harmonics.
/// </remarks>
internal sealed class SeasonalProfile
{
    public const int LongPeriodHarmonics = 4;

    /// <summary>The longest period estimated phase by phase (longer ones are smoothed to harmonics) and whose states a base may smooth.</summary>
    public const int MaxAdaptivePeriod = 24;

    private readonly double[] _index;

    private SeasonalProfile(int period, double[] index)
    {
        Period = period;
        _index = index;
    }

    /// <summary>No seasonality: s(t) = 0.</summary>
    public static SeasonalProfile None { get; } = new(1, [0.0]);

    /// <summary>m (1 for none).</summary>
    public int Period { get; }

    /// <summary>The seasonal term of row t.</summary>
    public double At(int t) => _index[t % Period];

    /// <summary>The index by phase, (m).</summary>
    public IReadOnlyList<double> Index => _index;

    /// <summary>The profile of period m estimated from <paramref name="v"/> (the fit span), or <see cref="None"/> without two full periods.</summary>
    public static SeasonalProfile Estimate(ReadOnlySpan<double> v, int period)
    {
        if (period < 2 || v.Length < 2 * period) return None;
        var sum = new double[period];
        var count = new int[period];
        int half = period / 2;
        for (int t = half; t + half < v.Length; t++)
        {
            double trend;
            if (period % 2 == 1)
            {
                trend = 0;
                for (int k = -half; k <= half; k++) trend += v[t + k];
                trend /= period;
            }
            else
            {
                trend = 0.5 * (v[t - half] + v[t + half]);
                for (int k = -half + 1; k < half; k++) trend += v[t + k];
                trend /= period;
            }
            sum[t % period] += v[t] - trend;
            count[t % period]++;
        }
        var index = new double[period];
        for (int p = 0; p < period; p++) index[p] = count[p] > 0 ? sum[p] / count[p] : 0;
        if (period > MaxAdaptivePeriod) index = Smooth(index, LongPeriodHarmonics);
        double mean = index.Average();
        for (int p = 0; p < period; p++) index[p] -= mean;
        return new SeasonalProfile(period, index);
    }

    /// <summary>Creates a profile from a given index (tests and saved runs).</summary>
    public static SeasonalProfile FromIndex(double[] index) => index.Length < 2 ? None : new SeasonalProfile(index.Length, index.ToArray());

    /// <summary>The index projected on its first K harmonics: a_k, b_k = 2/m Σ x_p cos/sin(2πkp/m).</summary>
    private static double[] Smooth(double[] x, int harmonics)
    {
        int m = x.Length;
        var result = new double[m];
        double mean = x.Average();
        for (int p = 0; p < m; p++) result[p] = mean;
        for (int k = 1; k <= Math.Min(harmonics, (m - 1) / 2); k++)
        {
            double a = 0, b = 0;
            for (int p = 0; p < m; p++)
            {
                a += x[p] * Math.Cos(2 * Math.PI * k * p / m);
                b += x[p] * Math.Sin(2 * Math.PI * k * p / m);
            }
            a *= 2.0 / m;
            b *= 2.0 / m;
            for (int p = 0; p < m; p++) result[p] += a * Math.Cos(2 * Math.PI * k * p / m) + b * Math.Sin(2 * Math.PI * k * p / m);
        }
        return result;
    }
}
