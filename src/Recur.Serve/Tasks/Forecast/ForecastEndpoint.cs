using System.Globalization;
using Microsoft.AspNetCore.Http;
using Recur.Serve.Api;
using Recur.Serve.Batching;
using Recur.Serve.Models;

namespace Recur.Serve.Tasks.Forecast;

/// <summary>The body of a forecast request.</summary>
/// <param name="History">The series so far, oldest first, from its first row (at least the model's window long).</param>
/// <param name="Series">Which of the model's series the history is (required when the model was trained on several).</param>
/// <param name="Steps">Forecasts to make (default 1); more than one feeds each forecast back as the next observation (one-step models only).</param>
public sealed record ForecastRequest(double[] History, string? Series, int? Steps);

/// <summary>The answer to a forecast request.</summary>
/// <param name="Target">The forecast column.</param>
/// <param name="Series">The series' id (absent for a model of a single series).</param>
/// <param name="Horizon">Rows the model forecasts at once: <c>forecast</c> starts with the rows 1 … horizon after the history.</param>
/// <param name="Forecast">The forecasts, nearest first.</param>
/// <param name="Level">The coverage of the interval (when the model has one).</param>
/// <param name="Quantiles">
/// For each of the first <c>horizon</c> forecasts (the model's direct ones; forecasts fed back get
/// none), the interval's bounds by probability, e.g. <c>{"0.1": …, "0.9": …}</c> at level 0.8.
/// </param>
public sealed record ForecastResponse(string Target, string? Series, int Horizon, IReadOnlyList<double> Forecast, double? Level,
    IReadOnlyList<IReadOnlyDictionary<string, double>>? Quantiles);

/// <summary>
/// <c>forecast</c>: <c>{"history": [...], "series": "id", "steps": n}</c> → <c>{"forecast": [...],
/// "quantiles": [...]}</c>. Each model call of each request (one per fed-back step) is one
/// micro-batch item.
/// </summary>
public sealed class ForecastEndpoint : TaskEndpoint
{
    /// <summary>Most values one request may make the model read: the history's length times the steps fed back.</summary>
    public const long MaxValuesRead = 10_000_000;

    private readonly IForecaster _forecaster;
    private readonly MicroBatcher<ForecastQuery, ForecastPoint> _batcher;
    private readonly InFlight _inFlight = new();
    private readonly (string Low, string High)? _quantileNames;

    /// <summary>Serves <paramref name="forecaster"/> as model <paramref name="model"/>.</summary>
    public ForecastEndpoint(string model, IForecaster forecaster, ServeContext context) : base(model, context)
    {
        _forecaster = forecaster ?? throw new ArgumentNullException(nameof(forecaster));
        if (forecaster.Series.Count == 0) throw new ArgumentException("the forecaster has no series; expected at least one.", nameof(forecaster));
        if (forecaster.Level is { } level) _quantileNames = (Probability((1 - level) / 2), Probability((1 + level) / 2));
        var o = context.Options;
        // The ensemble is only predicted with (Model.Predict is safe on many threads): batches may run at once.
        _batcher = new MicroBatcher<ForecastQuery, ForecastPoint>(forecaster.Forecast, o.BatchWindow, o.MaxBatch, o.MaxQueue, () => _inFlight.Count,
            b => context.Metrics.Batch(model, b), o.ConcurrentBatches);
        context.Metrics.Queue(model, () => _batcher.Queued);
    }

    /// <inheritdoc/>
    public override string Task => "forecast";

    /// <inheritdoc/>
    public override Type RequestType => typeof(ForecastRequest);

    /// <inheritdoc/>
    public override Type ResponseType => typeof(ForecastResponse);

    /// <inheritdoc/>
    public override async Task PredictAsync(HttpContext http, JsonRequest request, CancellationToken cancellation)
    {
        var o = Context.Options;
        request.AllowOnly("history", "series", "steps");
        var history = request.Numbers("history", o.MaxHistory) ?? throw RequestException.Missing("history", "a list of numbers, oldest first");
        int index = SeriesIndex(request.Text("series", 1000));
        var series = _forecaster.Series[index];
        int steps = (int)(request.Whole("steps", 1, o.MaxForecastSteps) ?? 1);
        if (series.PositiveOnly && Array.FindIndex(history, v => v <= 0) is var bad and >= 0)
            throw RequestException.Invalid($"history[{bad}]", $"'history[{bad}]' is {history[bad].ToString(CultureInfo.InvariantCulture)}; the model forecasts log values, so every value must be positive.");
        if (history.Length < series.MinHistory)
            throw RequestException.Invalid("history", $"'history' has {history.Length} values; the model needs at least {series.MinHistory} to forecast this series (a full window, past the first season when its base is seasonal, past the first two when it is combined with a seasonal AR).", series.MinHistory);
        if (steps > 1 && _forecaster.Horizon != 1)
            throw RequestException.Invalid("steps", $"'steps' is {steps}; the model forecasts {_forecaster.Horizon} rows at once, so it makes one forecast per history (steps 1).");
        if ((long)steps * (history.Length + steps) > MaxValuesRead)
            throw RequestException.OverLimit("steps", $"'steps' is {steps} over a history of {history.Length:N0} values: each step reads the whole history, " +
                                                      $"{(long)steps * (history.Length + steps):N0} values in all; the limit is {MaxValuesRead:N0}.", MaxValuesRead);

        // The scaling runs over the whole history (from the series' first row): every step posts it all, with the forecasts fed back so far.
        var known = new List<double>(history);
        var values = new List<double>(Math.Max(steps, _forecaster.Horizon));
        ForecastPoint? first = null;
        using (_inFlight.Enter(1))
        {
            for (int s = 0; s < steps; s++)
            {
                var point = await _batcher.RunAsync(new ForecastQuery(index, known.ToArray()), cancellation).ConfigureAwait(false);
                first ??= point;
                if (steps == 1) values.AddRange(point.Values);
                else values.Add(point.Values[0]);
                known.Add(point.Values[0]);
            }
        }
        await WriteJsonAsync(http, new ForecastResponse(_forecaster.Target, series.Id.Length > 0 ? series.Id : null, _forecaster.Horizon, values,
            _forecaster.Level, Quantiles(first!))).ConfigureAwait(false);
    }

    /// <summary>The series a request names; a model of one series needs no name.</summary>
    private int SeriesIndex(string? id)
    {
        var all = _forecaster.Series;
        if (id is null)
            return all.Count == 1 ? 0 : throw RequestException.Missing("series", $"the id of one of the model's {all.Count:N0} series, e.g. \"{all[0].Id}\"");
        for (int i = 0; i < all.Count; i++)
            if (string.Equals(all[i].Id, id, StringComparison.Ordinal)) return i;
        throw RequestException.Invalid("series", all.Count == 1
            ? $"'series' is \"{id}\"; the model was trained on a single series{(all[0].Id.Length > 0 ? $", \"{all[0].Id}\"" : " without an id: leave 'series' out")}."
            : $"'series' is \"{id}\"; the model knows {all.Count:N0} series, e.g. \"{all[0].Id}\", \"{all[^1].Id}\"; it forecasts only series it was trained on.");
    }

    /// <summary>Per direct forecast, its interval's bounds named by probability.</summary>
    private List<IReadOnlyDictionary<string, double>>? Quantiles(ForecastPoint point)
    {
        if (_quantileNames is not var (low, high) || point.Lower is null || point.Upper is null) return null;
        return point.Values.Select((_, j) => (IReadOnlyDictionary<string, double>)new Dictionary<string, double> { [low] = point.Lower[j], [high] = point.Upper[j] }).ToList();
    }

    /// <summary>"0.1" for (1 − 0.8)/2 = 0.09999…: the probability as the user wrote the level.</summary>
    private static string Probability(double p) => Math.Round(p, 6).ToString("0.######", CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    protected override ValueTask DisposeCoreAsync() => _batcher.DisposeAsync();
}
