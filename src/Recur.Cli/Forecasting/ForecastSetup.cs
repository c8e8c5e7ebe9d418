using Recur.Cli.Common;

namespace Recur.Cli.Forecasting;

/// <summary>What the user asked for; null means the default, chosen from the data.</summary>
internal sealed record ForecastOptions(int? Window, int Horizon, int? Season, double TestFraction, int? TestSize,
    string LogMode, double ValidationFraction);

/// <summary>
/// Prepares every series for the network: the time-ordered split, the log decision, the season
/// (given, or detected on the fit span and kept only when the seasonally adjusted naive forecast
/// beats the plain one on the validation slice), the window and the per-series scaling.
/// </summary>
internal static class ForecastSetup
{
    /// <summary>The default window: a season and one step when the season is short (at least 12 steps), else 24.</summary>
    public static int PreferredWindow(int season) => season is > 1 and <= 48 ? Math.Max(12, season + 1) : season > 48 ? 24 : 12;

    public static List<PreparedSeries> Prepare(IReadOnlyList<Series> series, ForecastOptions o, string path, string target, out int window, out string seasonNote)
    {
        int h = o.Horizon;
        var plans = new List<(Series S, int TestSize, int ValSize, bool Log, int Season)>();
        foreach (var s in series)
        {
            string what = s.Describe(path);
            int n = s.Length;
            int testSize = o.TestSize ?? (int)Math.Round(n * o.TestFraction);
            if (testSize < 1 || testSize >= n) throw new InputException($"{what}: a test span of {testSize} rows does not fit a series of {n} rows.");
            int testStart = n - testSize;
            s.RequireVarying(testStart, path, target);
            int valSize = Math.Max(h, (int)Math.Round(o.ValidationFraction * testStart));
            bool positive = s.Y.All(v => v > 0);
            if (o.LogMode == "yes" && !positive) throw new InputException($"--log yes: {what} has values of {target} ≤ 0.");
            bool log = o.LogMode == "yes" || (o.LogMode == "auto" && positive);
            int fitEnd = Math.Max(2, testStart - valSize);
            var v = s.Y.Take(fitEnd).Select(y => SeriesScaler.Forward(y, log)).ToArray();
            int season = o.Season ?? SeasonDetector.Detect(v) ?? 0;
            plans.Add((s, testSize, valSize, log, season));
        }

        // One window for the global model: the preferred one for the first series' season, shortened
        // (when not given) so that the shortest series still has its fit windows.
        int fits = plans.Min(p => p.S.Length - p.TestSize - p.ValSize - h - TimeSplit.MinFitWindows + 1);
        window = o.Window ?? Math.Max(2, Math.Min(PreferredWindow(plans[0].Season), fits));

        var prepared = new List<PreparedSeries>();
        int kept = 0, dropped = 0;
        foreach (var (s, testSize, valSize, log, season) in plans)
        {
            var split = TimeSplit.Create(s.Length, testSize, valSize, window, h, s.Describe(path));
            var v = s.Y.Take(split.ValidationStart).Select(y => SeriesScaler.Forward(y, log)).ToArray();
            var profile = SeasonalProfile.Estimate(v, season);
            if (o.Season is null && profile.Period > 1)
            {
                // A detected season stays only if it helps the no-network forecast on the validation slice.
                var with = SeriesScaler.Fit(s.Y, split.ValidationStart, log, profile);
                var without = SeriesScaler.Fit(s.Y, split.ValidationStart, log, SeasonalProfile.None);
                if (BaseError(with, s, split) >= BaseError(without, s, split)) profile = SeasonalProfile.None;
            }
            if (profile.Period > 1) kept++;
            else if (season > 1) dropped++;
            prepared.Add(new PreparedSeries(s, SeriesScaler.Fit(s.Y, split.ValidationStart, log, profile), split, season));
        }
        foreach (var p in prepared)
            foreach (var f in p.Data.Features) f.Fit(p.Split.ValidationStart);
        int shown = plans[0].Season;
        seasonNote = shown < 2 ? "no season" :
            $"season {shown} {(o.Season is null ? "detected" : "given")}{(series.Count > 1 ? " (first series)" : "")}, " +
            (dropped == 0 ? "deseasonalised" : kept == 0 ? "not used (no gain on the validation slice)" : $"deseasonalised in {kept} of {kept + dropped} series");
        return prepared;
    }

    /// <summary>Squared error of the network-free forecast (output 0) over the validation slice.</summary>
    private static double BaseError(SeriesScaler scaler, Series s, TimeSplit split)
    {
        double sum = 0;
        foreach (int t in split.ValidationOrigins())
            for (int j = 1; j <= split.Horizon; j++)
                if (s.Observed[t + j]) sum += Math.Pow(scaler.Decode(t, j, 0) - s.Y[t + j], 2);
        return sum;
    }
}
