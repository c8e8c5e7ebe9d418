using Recur.Forecasting;

namespace Recur.Cli.Forecasting;

/// <summary>
/// One scored forecast: series s, made at origin o for row o + j, with its interval and the two
/// baselines on the same target — naive ŷ = y_o (the last value observed) and seasonal naive
/// ŷ = y_{o+j−m⌈j/m⌉} (the same season's last observed value; NaN without a season).
/// </summary>
internal readonly record struct ScoredForecast(int Series, int Origin, int Step, double Actual, double Forecast,
    double Lower, double Upper, double Naive, double SeasonalNaive);

/// <summary>Accuracy of a set of scored forecasts, pooled over series and steps (or one step).</summary>
internal static class Scores
{
    public static double Rmse(IReadOnlyList<ScoredForecast> f, Func<ScoredForecast, double> of)
        => ForecastMetrics.Rmse(f.Select(x => x.Actual).ToArray(), f.Select(of).ToArray());

    public static double Mae(IReadOnlyList<ScoredForecast> f)
        => ForecastMetrics.Mae(f.Select(x => x.Actual).ToArray(), f.Select(x => x.Forecast).ToArray());

    public static double Smape(IReadOnlyList<ScoredForecast> f)
        => ForecastMetrics.Smape(f.Select(x => x.Actual).ToArray(), f.Select(x => x.Forecast).ToArray());

    /// <summary>The mean over series of each series' MASE (its own training span and season scale its error).</summary>
    public static double Mase(IReadOnlyList<ScoredForecast> f, IReadOnlyList<PreparedSeries> series)
        => f.GroupBy(x => x.Series).Select(g =>
        {
            var s = series[g.Key];
            int m = Math.Max(1, s.Season);
            var train = s.Data.Y.AsSpan(0, s.Split.TestStart);
            if (train.Length <= m) m = 1;
            return ForecastMetrics.Mase(g.Select(x => x.Actual).ToArray(), g.Select(x => x.Forecast).ToArray(), train, m);
        }).Average();

    /// <summary>The mean width upper − lower of the intervals, in the units of y.</summary>
    public static double MeanWidth(IReadOnlyList<ScoredForecast> f) => f.Average(x => x.Upper - x.Lower);

    /// <summary>Share of actual values inside [lower, upper].</summary>
    public static double Coverage(IReadOnlyList<ScoredForecast> f) => f.Count(x => x.Actual >= x.Lower && x.Actual <= x.Upper) / (double)f.Count;

    /// <summary>The seasonal naive forecast of row o + j, or NaN without a season (or without the row).</summary>
    public static double SeasonalNaive(double[] y, int origin, int step, int season)
    {
        if (season < 2) return double.NaN;
        int row = origin + step - season * ((step + season - 1) / season);
        return row >= 0 ? y[row] : double.NaN;
    }
}
