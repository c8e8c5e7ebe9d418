namespace Recur.Serve.Tasks.Forecast;

/// <summary>
/// The predictor a forecast model offers the server: from the last <see cref="Window"/> values of
/// a series, the value <see cref="Horizon"/> steps after the last one (and quantiles when the
/// model has them), batched over series.
/// </summary>
public interface IForecaster
{
    /// <summary>Values the model reads; a history must have at least this many.</summary>
    int Window { get; }

    /// <summary>Steps ahead of the last value that the forecast is for.</summary>
    int Horizon { get; }

    /// <summary>True when the model works on log values, so every history value must be positive.</summary>
    bool PositiveOnly { get; }

    /// <summary>The forecast column's name.</summary>
    string Target { get; }

    /// <summary>One forecast per history (each at least <see cref="Window"/> long; one batch, one thread at a time).</summary>
    IReadOnlyList<ForecastPoint> Forecast(IReadOnlyList<double[]> histories);
}

/// <summary>One forecast value, with its quantiles (name → value, e.g. "0.1") when the model has them.</summary>
/// <param name="Value">The point forecast.</param>
/// <param name="Quantiles">Quantile forecasts, or null.</param>
public sealed record ForecastPoint(double Value, IReadOnlyDictionary<string, double>? Quantiles = null);
