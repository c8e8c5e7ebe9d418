namespace Recur.Cli.Forecasting;

/// <summary>
/// Finds a season length in the fit span from the autocorrelation of the linearly detrended series:
/// the lag m ≥ 2 with the highest autocorrelation r(m) among local maxima that stand out — r(m) ≥
/// <see cref="MinCorrelation"/> and at least <see cref="MinProminence"/> above the lowest r(k), k &lt; m —
/// with two full periods in the data, moved to a calendar period when that is within 5 %. Whether
/// the season then helps is decided on the validation slice.
/// </summary>
internal static class SeasonDetector
{
    public const double MinCorrelation = 0.3;
    public const double MinProminence = 0.2;
    public const int MaxLag = 1000;

    /// <summary>The detected period, or null when the series shows none.</summary>
    public static int? Detect(ReadOnlySpan<double> v)
    {
        int n = v.Length;
        int maxLag = Math.Min(MaxLag, n / 2);
        if (maxLag < 3) return null;
        var x = Detrended(v);
        double c0 = 0;
        foreach (var e in x) c0 += e * e;
        if (c0 == 0) return null;
        var r = new double[maxLag + 2];
        for (int k = 1; k <= Math.Min(maxLag + 1, n - 1); k++)
        {
            double c = 0;
            for (int t = k; t < n; t++) c += x[t] * x[t - k];
            r[k] = c / c0;
        }
        int? best = null;
        double lowest = r[1];
        for (int m = 2; m <= maxLag; m++)
        {
            lowest = Math.Min(lowest, r[m - 1]);
            bool peak = r[m] >= r[m - 1] && r[m] > r[m + 1];
            if (peak && r[m] >= MinCorrelation && r[m] - lowest >= MinProminence && (best is null || r[m] > r[best.Value]))
                best = m;
        }
        if (best is { } found)
            foreach (int p in CalendarPeriods)
                if (p <= maxLag && Math.Abs(p - found) <= 0.05 * found && r[p] >= r[found] - 0.1) return p;
        return best;
    }

    /// <summary>
    /// Periods of calendar data (quarters, days of the week, months, hours, weeks, hours of the week,
    /// days of the year): a broad autocorrelation peak within 5 % of one of them (and nearly as
    /// high there) is taken to mean it.
    /// </summary>
    public static readonly int[] CalendarPeriods = [4, 7, 12, 24, 52, 168, 365];

    /// <summary>v minus its least-squares line.</summary>
    private static double[] Detrended(ReadOnlySpan<double> v)
    {
        int n = v.Length;
        double tMean = (n - 1) / 2.0, vMean = 0;
        foreach (var e in v) vMean += e;
        vMean /= n;
        double stv = 0, stt = 0;
        for (int t = 0; t < n; t++)
        {
            stv += (t - tMean) * (v[t] - vMean);
            stt += (t - tMean) * (t - tMean);
        }
        double slope = stt > 0 ? stv / stt : 0;
        var x = new double[n];
        for (int t = 0; t < n; t++) x[t] = v[t] - vMean - slope * (t - tMean);
        return x;
    }
}
