using Recur.Cli.Common;
using Recur.Cli.Tasks;

namespace Recur.Cli.Prediction;

/// <summary>
/// The prediction half of <c>recur forecast</c> for a posted history: the last <see cref="Window"/>
/// observations → the value <see cref="Horizon"/> steps after the last one, scaled exactly as in
/// training (<see cref="SeriesScaling"/>). Models trained with feature columns need those columns
/// too and are not served from a history alone.
/// </summary>
internal sealed class Forecaster
{
    private readonly TrainedModel _trained;

    public Forecaster(TrainedModel trained)
    {
        _trained = trained;
        Window = trained.Int("window");
        Horizon = trained.Int("horizon");
        Scaling = new SeriesScaling(trained.Task["log"]?.GetValue<bool>() ?? false, trained.Double("sigma"));
        Target = trained.Task["target"]?.GetValue<string>() ?? "value";
        if (trained.Task["features"] is System.Text.Json.Nodes.JsonArray { Count: > 0 } features)
            throw new InputException($"{trained.Path}: the model also reads the feature columns {string.Join(", ", features.Select(f => f?["name"]?.GetValue<string>()))}; only models of the target column alone can forecast from a history.");
    }

    public int Window { get; }

    public int Horizon { get; }

    public SeriesScaling Scaling { get; }

    /// <summary>The name of the forecast column.</summary>
    public string Target { get; }

    /// <summary>The forecast <see cref="Horizon"/> steps after the end of each history (each at least <see cref="Window"/> long), as one batch (B, W, 1).</summary>
    public double[] Forecast(IReadOnlyList<double[]> histories)
    {
        var x = Tensor.Zeros(histories.Count, Window, 1);
        var last = new double[histories.Count];
        for (int b = 0; b < histories.Count; b++)
        {
            var h = histories[b];
            last[b] = Scaling.ToModel(h[^1]);
            for (int k = 0; k < Window; k++) x.Span[b * Window + k] = Scaling.Input(Scaling.ToModel(h[h.Length - Window + k]), last[b]);
        }
        var p = _trained.Model.PredictOnBatch(x).Span; // (B, 1)
        var result = new double[histories.Count];
        for (int b = 0; b < result.Length; b++) result[b] = Scaling.Forecast(last[b], p[b]);
        return result;
    }
}
