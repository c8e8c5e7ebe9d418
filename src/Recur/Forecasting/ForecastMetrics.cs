namespace Recur.Forecasting;

/// <summary>
/// Point-forecast accuracy measures over paired actual values y and forecasts ŷ (same length n),
/// as the forecasting literature and R's <c>forecast::accuracy</c> define them.
/// </summary>
public static class ForecastMetrics
{
    /// <summary>Root mean squared error √(Σ (y − ŷ)² / n), in the units of y.</summary>
    public static double Rmse(ReadOnlySpan<double> actual, ReadOnlySpan<double> forecast)
    {
        Require(actual, forecast);
        double sum = 0;
        for (int i = 0; i < actual.Length; i++) sum += (actual[i] - forecast[i]) * (actual[i] - forecast[i]);
        return Math.Sqrt(sum / actual.Length);
    }

    /// <summary>Mean absolute error Σ |y − ŷ| / n, in the units of y.</summary>
    public static double Mae(ReadOnlySpan<double> actual, ReadOnlySpan<double> forecast)
    {
        Require(actual, forecast);
        double sum = 0;
        for (int i = 0; i < actual.Length; i++) sum += Math.Abs(actual[i] - forecast[i]);
        return sum / actual.Length;
    }

    /// <summary>
    /// Symmetric mean absolute percentage error, the M4 definition:
    /// 200/n · Σ |y − ŷ| / (|y| + |ŷ|), in percent (0 to 200). A pair with y = ŷ = 0 counts as 0.
    /// </summary>
    public static double Smape(ReadOnlySpan<double> actual, ReadOnlySpan<double> forecast)
    {
        Require(actual, forecast);
        double sum = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double denominator = Math.Abs(actual[i]) + Math.Abs(forecast[i]);
            if (denominator > 0) sum += Math.Abs(actual[i] - forecast[i]) / denominator;
        }
        return 200 * sum / actual.Length;
    }

    /// <summary>
    /// Mean absolute scaled error (Hyndman and Koehler 2006): the MAE divided by the in-sample MAE
    /// of the seasonal naive forecast on the training values, Σ_{t≥m} |y_t − y_{t−m}| / (n_train − m).
    /// Below 1 beats that naive forecast on the training span.
    /// </summary>
    /// <param name="actual">(n) test values.</param>
    /// <param name="forecast">(n) their forecasts.</param>
    /// <param name="training">The values the model was fitted on, in time order (only these scale the error).</param>
    /// <param name="season">Lag m of the naive forecast: 1 for non-seasonal data.</param>
    /// <exception cref="ArgumentException">The training values are constant at lag m or fewer than m + 1.</exception>
    public static double Mase(ReadOnlySpan<double> actual, ReadOnlySpan<double> forecast, ReadOnlySpan<double> training, int season = 1)
    {
        double scale = NaiveScale(training, season);
        return Mae(actual, forecast) / scale;
    }

    /// <summary>The in-sample MAE of the lag-<paramref name="season"/> naive forecast (the MASE denominator).</summary>
    /// <exception cref="ArgumentException">The training values are constant at that lag or fewer than season + 1.</exception>
    public static double NaiveScale(ReadOnlySpan<double> training, int season = 1)
    {
        if (season < 1) throw new ArgumentOutOfRangeException(nameof(season), season, "season must be at least 1.");
        if (training.Length <= season)
            throw new ArgumentException($"training has {training.Length} values; the lag-{season} naive scale needs at least {season + 1}.", nameof(training));
        double sum = 0;
        for (int t = season; t < training.Length; t++) sum += Math.Abs(training[t] - training[t - season]);
        if (sum == 0) throw new ArgumentException($"training does not change at lag {season}: the scaled error is undefined.", nameof(training));
        return sum / (training.Length - season);
    }

    private static void Require(ReadOnlySpan<double> actual, ReadOnlySpan<double> forecast)
    {
        if (actual.Length == 0) throw new ArgumentException("actual is empty; expected at least one value.", nameof(actual));
        if (forecast.Length != actual.Length)
            throw new ArgumentException($"forecast has {forecast.Length} values; expected {actual.Length} like actual.", nameof(forecast));
    }
}
