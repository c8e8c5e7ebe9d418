namespace Recur.Serve.Tasks.Forecast;

/// <summary>
/// The predictor a forecast model offers the server: from the history of one of its
/// <see cref="Series"/>, the values of the next <see cref="Horizon"/> rows (and an interval when
/// the model has one), batched over histories.
/// </summary>
public interface IForecaster
{
    /// <summary>Rows forecast at once after a history.</summary>
    int Horizon { get; }

    /// <summary>The forecast column's name.</summary>
    string Target { get; }

    /// <summary>The coverage of the prediction interval, or null when the model gives none.</summary>
    double? Level { get; }

    /// <summary>The series the model forecasts (one with id "" for a model of a single series).</summary>
    IReadOnlyList<ForecastSeries> Series { get; }

    /// <summary>One forecast per query (each history at least its series' <see cref="ForecastSeries.MinHistory"/> long); one batch.</summary>
    IReadOnlyList<ForecastPoint> Forecast(IReadOnlyList<ForecastQuery> queries);
}

/// <summary>A series a forecast model knows.</summary>
/// <param name="Id">Its id ("" for a model of a single series).</param>
/// <param name="MinHistory">The fewest values a history of it needs.</param>
/// <param name="PositiveOnly">True when it is modelled in logs, so every history value must be positive.</param>
public sealed record ForecastSeries(string Id, int MinHistory, bool PositiveOnly);

/// <summary>A history of series <paramref name="Series"/> (an index into <see cref="IForecaster.Series"/>), oldest first.</summary>
/// <param name="Series">The series' index.</param>
/// <param name="History">Its values.</param>
public sealed record ForecastQuery(int Series, double[] History);

/// <summary>The forecasts of the rows 1 … h after a history, with the interval's bounds when the model has them.</summary>
/// <param name="Values">The point forecasts, nearest first.</param>
/// <param name="Lower">The lower bounds, or null.</param>
/// <param name="Upper">The upper bounds, or null.</param>
public sealed record ForecastPoint(IReadOnlyList<double> Values, IReadOnlyList<double>? Lower = null, IReadOnlyList<double>? Upper = null);
