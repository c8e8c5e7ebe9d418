using Microsoft.AspNetCore.Http;
using Recur.Serve.Api;
using Recur.Serve.Batching;
using Recur.Serve.Models;

namespace Recur.Serve.Tasks.Forecast;

/// <summary>The body of a forecast request.</summary>
/// <param name="History">The series so far, oldest first, at least the model's window long.</param>
/// <param name="Steps">Forecasts to make (default 1); more than one feeds each forecast back as the next observation (one-step models only).</param>
public sealed record ForecastRequest(double[] History, int? Steps);

/// <summary>The answer to a forecast request.</summary>
/// <param name="Target">The forecast column.</param>
/// <param name="Horizon">Steps ahead of the history's end of the first forecast.</param>
/// <param name="Forecast">The forecasts, nearest first.</param>
/// <param name="Quantiles">Per forecast, its quantiles (when the model has them).</param>
public sealed record ForecastResponse(string Target, int Horizon, IReadOnlyList<double> Forecast, IReadOnlyList<IReadOnlyDictionary<string, double>>? Quantiles);

/// <summary>
/// <c>forecast</c>: <c>{"history": [...], "steps": n}</c> → <c>{"forecast": [...]}</c>. Each step
/// of each request is one micro-batch item.
/// </summary>
public sealed class ForecastEndpoint : TaskEndpoint
{
    private readonly IForecaster _forecaster;
    private readonly MicroBatcher<double[], ForecastPoint> _batcher;
    private readonly InFlight _inFlight = new();

    /// <summary>Serves <paramref name="forecaster"/> as model <paramref name="model"/>.</summary>
    public ForecastEndpoint(string model, IForecaster forecaster, ServeContext context) : base(model, context)
    {
        _forecaster = forecaster ?? throw new ArgumentNullException(nameof(forecaster));
        var o = context.Options;
        _batcher = new MicroBatcher<double[], ForecastPoint>(h => Gate.Run(() => forecaster.Forecast(h)),
            o.BatchWindow, o.MaxBatch, o.MaxQueue, () => _inFlight.Count, n => context.Metrics.Batch(model, n));
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
        request.AllowOnly("history", "steps");
        var history = request.Numbers("history", o.MaxHistory) ?? throw RequestException.Missing("history", "a list of numbers, oldest first");
        int steps = (int)(request.Whole("steps", 1, o.MaxForecastSteps) ?? 1);
        int window = _forecaster.Window;
        if (history.Length < window)
            throw RequestException.Invalid("history", $"'history' has {history.Length} values; the model reads a window of {window}, so it needs at least {window}.", window);
        if (_forecaster.PositiveOnly && Array.FindIndex(history, v => v <= 0) is var bad and >= 0)
            throw RequestException.Invalid($"history[{bad}]", $"'history[{bad}]' is {history[bad]}; the model forecasts log values, so every value must be positive.");
        if (steps > 1 && _forecaster.Horizon != 1)
            throw RequestException.Invalid("steps", $"'steps' is {steps}; the model forecasts {_forecaster.Horizon} steps ahead directly, so it makes one forecast per history (steps 1).");

        // Only the last window matters: keep it, and append each forecast as the next observation.
        var series = history[^window..].ToList();
        var values = new List<double>(steps);
        var quantiles = new List<IReadOnlyDictionary<string, double>>();
        using (_inFlight.Enter(1))
        {
            for (int s = 0; s < steps; s++)
            {
                var point = await _batcher.RunAsync(series.Skip(series.Count - window).ToArray(), cancellation).ConfigureAwait(false);
                values.Add(point.Value);
                if (point.Quantiles is not null) quantiles.Add(point.Quantiles);
                series.Add(point.Value);
            }
        }
        await WriteJsonAsync(http, new ForecastResponse(_forecaster.Target, _forecaster.Horizon, values, quantiles.Count > 0 ? quantiles : null)).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override ValueTask DisposeCoreAsync() => _batcher.DisposeAsync();
}
