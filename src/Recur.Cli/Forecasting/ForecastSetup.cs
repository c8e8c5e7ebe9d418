using Recur.Cli.Common;

namespace Recur.Cli.Forecasting;

/// <summary>What the user asked for; null means the default, chosen from the data.</summary>
internal sealed record ForecastOptions(int? Window, int Horizon, int? Season, double TestFraction, int? TestSize,
    string LogMode, double ValidationFraction);

/// <summary>
/// Prepares every series for the network: the time-ordered split, the log decision, the season
/// (given, or detected on the fit span), the window and the smoothing base of the per-series
/// scaling: among a smoothed level, a smoothed level with a (smoothed) seasonal profile and the smoothed
/// seasonal change (the last two only with a season; the first only when the season was not
/// given), the one whose forecasts err least on the validation slice, then that base alone or its
/// equal-weight combination with a seasonal AR of the seasonal differences (<see cref="SeasonalAr"/>,
/// short seasons only), whichever errs less there.
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
            if (o.Window is { } w && w >= n) throw new InputException($"--window {w} is longer than the series ({n} rows in {what}).");
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
        foreach (var (s, testSize, valSize, log, season) in plans)
        {
            int fitEnd = s.Length - testSize - valSize;
            bool seasonalChange = season >= 2 && fitEnd - season - h >= TimeSplit.MinFitWindows;
            var split = TimeSplit.Create(s.Length, testSize, valSize, window, h, s.Describe(path), seasonalChange ? season : 0);
            var v = s.Y.Take(split.ValidationStart).Select(y => SeriesScaler.Forward(y, log)).ToArray();
            var profile = season >= 2 ? SeasonalProfile.Estimate(v, season) : SeasonalProfile.None;
            var candidates = new List<SeriesScaler>();
            if (season < 2 || o.Season is null) candidates.Add(SeriesScaler.Fit(s.Y, split.ValidationStart, log, SeasonStyle.None, SeasonalProfile.None, 1));
            // A short season's states may be smoothed: one candidate per γ of the grid (0: the fixed
            // profile), its α fitted on the fit span; the validation slice picks γ with the style. (The
            // profile is estimated on the fit span, so the fit span alone would always prefer γ = 0.) A long
            // season's phases are seen once a season each, so its harmonic profile stays fixed.
            if (profile.Period > 1)
                foreach (double gamma in season <= SeasonalProfile.MaxAdaptivePeriod ? SeriesScaler.GammaGrid : [0.0])
                    candidates.Add(SeriesScaler.Fit(s.Y, split.ValidationStart, log, SeasonStyle.Profile, profile, season, [gamma]));
            if (seasonalChange) candidates.Add(SeriesScaler.Fit(s.Y, split.ValidationStart, log, SeasonStyle.SeasonalChange, SeasonalProfile.None, season));
            if (candidates.Count == 0) candidates.Add(SeriesScaler.Fit(s.Y, split.ValidationStart, log, SeasonStyle.None, SeasonalProfile.None, 1));
            // The smoothing base with the least error on the validation slice (never the test span).
            var chosen = candidates.MinBy(c => BaseError(c, s, split))!;
            // Forecast combination: the chosen base averaged with a seasonal AR fitted on the fit span
            // (a structure the smoothing lacks: each phase from the same phase of the last two seasons
            // plus a drift), kept when the validation slice prefers it. Its first origin is 2m − 1, so
            // the fit windows start there once it is kept.
            if (season is >= 2 and <= SeasonalProfile.MaxAdaptivePeriod && SeasonalAr.Estimate(v, season) is { } ar &&
                split.ValidationStart - Math.Max(split.FirstOrigin, ar.FirstOrigin) - h >= TimeSplit.MinFitWindows)
            {
                var combined = chosen.CombinedWith(ar, split.ValidationStart);
                if (BaseError(combined, s, split) < BaseError(chosen, s, split))
                {
                    chosen = combined;
                    split = split with { Warmup = Math.Max(split.Warmup, ar.FirstOrigin) };
                }
            }
            prepared.Add(new PreparedSeries(s, chosen, split, season));
        }
        foreach (var p in prepared)
            foreach (var f in p.Data.Features) f.Fit(p.Split.ValidationStart);
        int shown = plans[0].Season;
        var styles = prepared.GroupBy(p => Describe(p.Scaler)).OrderByDescending(g => g.Count()).Select(g => $"{g.Key}{(prepared.Count > 1 ? $" ×{g.Count()}" : "")}");
        seasonNote = (shown < 2 ? "no season" : $"season {shown} {(o.Season is null ? "detected" : "given")}{(series.Count > 1 ? " (first series)" : "")}") +
                     $", base chosen on the validation slice: {string.Join(", ", styles)}";
        return prepared;
    }

    /// <summary>
    /// The series as they forecast the test span: once the base, the network, the blend and the
    /// residuals are chosen on the validation slice, a seasonal profile and a combined seasonal AR
    /// are re-estimated on every row before the test span (fit span and validation slice, as the
    /// peers are fitted on them), the other settings kept. No choice reads the re-estimated bases.
    /// </summary>
    public static List<PreparedSeries> RefitBases(IReadOnlyList<PreparedSeries> prepared) => prepared.Select(p =>
    {
        if (p.Scaler.Style != SeasonStyle.Profile && p.Scaler.Ar is null) return p;
        var v = p.Data.Y.Take(p.Split.TestStart).Select(y => SeriesScaler.Forward(y, p.Scaler.Log)).ToArray();
        var scaler = p.Scaler;
        if (scaler.Style == SeasonStyle.Profile && SeasonalProfile.Estimate(v, scaler.Profile.Period) is { Period: > 1 } profile) scaler = scaler.WithProfile(profile);
        if (scaler.Ar is { } ar && SeasonalAr.Estimate(v, ar.Period) is { } refit) scaler = scaler.WithAr(refit);
        return p with { Scaler = scaler };
    }).ToList();

    /// <summary>How a base reads in the summary: its style, and the seasonal AR it is combined with.</summary>
    public static string Describe(SeriesScaler scaler) => Describe(scaler.Style) + (scaler.Ar is null ? "" : " + seasonal AR (equal weights)");

    /// <summary>How a style reads in the summary.</summary>
    public static string Describe(SeasonStyle style) => style switch
    {
        SeasonStyle.Profile => "smoothed level × seasonal profile",
        SeasonStyle.SeasonalChange => "last season × smoothed seasonal change",
        _ => "smoothed level",
    };

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
