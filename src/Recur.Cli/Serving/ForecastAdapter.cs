using Recur.Cli.Prediction;
using Recur.Cli.Tasks;
using Recur.Serve;
using Recur.Serve.Models;
using Recur.Serve.Tasks.Forecast;

namespace Recur.Cli.Serving;

/// <summary>Serves a <c>recur forecast</c> model through <see cref="Prediction.Forecaster"/>, scaled as in training.</summary>
internal sealed class ForecastAdapter : ITaskAdapter
{
    public string Task => ForecastCommand.Task;

    public ServedModel Load(TrainedModel trained, string name, ServeContext context)
    {
        var forecaster = new Forecaster(trained); // a model with feature columns is refused, naming them
        var adapter = new Adapter(forecaster);
        var info = new ModelInfo(name, Task, TaskAdapters.Architecture(trained),
            $"history: the series so far, at least {forecaster.Window} values{(forecaster.Scaling.Log ? ", all positive" : "")}",
            $"forecast: the value {forecaster.Horizon} step{(forecaster.Horizon == 1 ? "" : "s")} after the history (steps > 1 feed forecasts back)", Streams: false,
            new Dictionary<string, object?> { ["window"] = forecaster.Window, ["horizon"] = forecaster.Horizon, ["target"] = forecaster.Target, ["log"] = forecaster.Scaling.Log });
        return new ServedModel(info, new ForecastEndpoint(name, adapter, context));
    }

    private sealed class Adapter(Forecaster forecaster) : IForecaster
    {
        public int Window => forecaster.Window;
        public int Horizon => forecaster.Horizon;
        public bool PositiveOnly => forecaster.Scaling.Log;
        public string Target => forecaster.Target;

        public IReadOnlyList<ForecastPoint> Forecast(IReadOnlyList<double[]> histories)
            => forecaster.Forecast(histories).Select(v => new ForecastPoint(v)).ToList();
    }
}
