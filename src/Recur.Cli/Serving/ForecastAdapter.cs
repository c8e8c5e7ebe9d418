using Recur.Cli.Prediction;
using Recur.Cli.Tasks;
using Recur.Serve;
using Recur.Serve.Models;
using Recur.Serve.Tasks.Forecast;

namespace Recur.Cli.Serving;

/// <summary>Serves a <c>recur forecast</c> run (its seed ensemble, scaling and interval) through <see cref="Prediction.Forecaster"/>.</summary>
internal sealed class ForecastAdapter : ITaskAdapter
{
    public string Task => ForecastCommand.Task;

    public ServedModel Load(string path, string name, ServeContext context)
    {
        var trained = TrainedModel.Load(path, Task);
        var forecaster = new Forecaster(trained); // a model with feature columns is refused, naming them
        var adapter = new Adapter(forecaster);
        int shortest = adapter.Series.Min(s => s.MinHistory);
        string series = forecaster.Series.Count == 1 ? "the series" : $"one of its {forecaster.Series.Count:N0} series (\"series\": its id)";
        var info = new ModelInfo(name, Task, TaskAdapters.Architecture(trained),
            $"history: {series} from its first row, at least {shortest} values{(forecaster.Series.Any(s => s.Log) ? ", all positive" : "")}",
            $"forecast: the next {forecaster.Horizon} value{(forecaster.Horizon == 1 ? "" : "s")} after the history, with the {Math.Round(forecaster.Level * 100)} % interval as quantiles" +
            (forecaster.Horizon == 1 ? " (steps > 1 feed forecasts back)" : ""), Streams: false,
            new Dictionary<string, object?>
            {
                ["window"] = forecaster.Window, ["horizon"] = forecaster.Horizon, ["target"] = forecaster.Target, ["level"] = forecaster.Level,
                ["min_history"] = shortest, ["series"] = forecaster.Series.Select(s => s.Id).ToArray(), ["log"] = forecaster.Series.Any(s => s.Log),
            });
        return new ServedModel(info, new ForecastEndpoint(name, adapter, context));
    }

    private sealed class Adapter(Forecaster forecaster) : IForecaster
    {
        public int Horizon => forecaster.Horizon;
        public string Target => forecaster.Target;
        public double? Level => forecaster.Level;
        public IReadOnlyList<ForecastSeries> Series { get; } = forecaster.Series.Select(s => new ForecastSeries(s.Id, s.MinHistory(forecaster.Window), s.Log)).ToList();

        public IReadOnlyList<ForecastPoint> Forecast(IReadOnlyList<ForecastQuery> queries)
            => forecaster.Forecast(queries.Select(q => (q.Series, q.History)).ToList())
                .Select(steps => new ForecastPoint(steps.Select(p => p.Forecast).ToArray(), steps.Select(p => p.Lower).ToArray(), steps.Select(p => p.Upper).ToArray()))
                .ToList();
    }
}
