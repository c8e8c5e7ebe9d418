using System.Text.Json.Nodes;
using Recur.Cli.Common;
using Recur.Cli.Forecasting;
using Recur.Cli.Tasks;
using Recur.Models;

namespace Recur.Cli.Prediction;

/// <summary>
/// The prediction half of <c>recur forecast</c> for posted histories: the saved seed ensemble
/// (<c>model.recur</c>, <c>model-2.recur</c> …), each series' saved scaling run over the history
/// (<see cref="SavedSeries.Scaler"/>) and the saved blend and residuals, so the forecasts of the
/// <see cref="Horizon"/> rows after a history and their intervals are those the command makes
/// from the same rows (<see cref="EnsembleForecaster.Ahead"/> is the code it scores with).
/// A history starts where its training series started (the seasonal profile's phase and the
/// smoothing run from the first row). Models trained with feature columns need those columns too
/// and are not served from a history alone.
/// </summary>
internal sealed class Forecaster
{
    private readonly EnsembleForecaster _forecaster;

    public Forecaster(TrainedModel trained)
    {
        var task = trained.Task;
        Window = trained.Int("window", min: 1);
        Horizon = trained.Int("horizon", min: 1);
        Target = trained.Task["target"] is JsonValue t && t.TryGetValue<string>(out var name) ? name : "value";
        if (task["features"] is JsonArray { Count: > 0 } features)
            throw new InputException($"{trained.Path}: the model also reads the feature columns {string.Join(", ", features.Select(f => f?["name"]?.ToString()))}; only models of the target column alone can forecast from a history.");
        int k = trained.Int("ensemble", min: 1);
        var (series, level, blend, residuals) = ForecastTaskFile.Read(task, trained.Path, Horizon);
        Series = series;
        string dir = Path.GetDirectoryName(Path.GetFullPath(trained.Path))!;
        var members = new List<Model> { trained.Model };
        for (int i = 2; i <= k; i++)
        {
            string file = Path.Combine(dir, $"model-{i}.recur");
            members.Add(TrainedModel.ReadModel(file, file));
        }
        foreach (var (m, i) in members.Select((m, i) => (m, i)))
        {
            // (N, W, 3) normalised channels in, (N, h) normalised steps out.
            if (m.InputShape is not { Length: 2 } input || input[^1] != SeriesScaler.Channels || m.OutputShape is not [var h] || h != Horizon)
                throw new InputException($"{trained.Path}: ensemble member {i + 1} takes ({Shape(m.InputShape)}) and gives ({Shape(m.OutputShape)}); " +
                                         $"task.json says windows of {SeriesScaler.Channels} channels in and {Horizon} steps out.");
        }
        _forecaster = EnsembleForecaster.Restore(SeedEnsemble.Of(members), Window, Horizon, level, blend, residuals);
    }

    /// <summary>Past rows the networks read.</summary>
    public int Window { get; }

    /// <summary>Rows forecast at once after a history.</summary>
    public int Horizon { get; }

    /// <summary>The coverage of the interval.</summary>
    public double Level => _forecaster.Level;

    /// <summary>The forecast column's name.</summary>
    public string Target { get; }

    /// <summary>The series the model was trained on (one with id "" for a single-series file).</summary>
    public IReadOnlyList<SavedSeries> Series { get; }

    /// <summary>
    /// For each (series index, history) — the history at least <see cref="SavedSeries.MinHistory"/>
    /// values of finite numbers (positive for a log series) — the forecasts of the next
    /// <see cref="Horizon"/> rows with their intervals, as one batch per member.
    /// </summary>
    public List<(double Forecast, double Lower, double Upper)[]> Forecast(IReadOnlyList<(int Series, double[] History)> queries)
    {
        var prepared = new List<PreparedSeries>(queries.Count);
        var origins = new List<Origin>(queries.Count);
        foreach (var (index, history) in queries)
        {
            var saved = Series[index];
            int n = history.Length;
            if (n < saved.MinHistory(Window)) throw new ArgumentException($"a history of {n} values; series {index} needs at least {saved.MinHistory(Window)}.", nameof(queries));
            // Every posted row is observed history: no validation or test rows.
            var data = new Series(saved.Id, history, Enumerable.Repeat(true, n).ToArray(), Enumerable.Range(1, n).ToArray(), []);
            prepared.Add(new PreparedSeries(data, saved.Scaler(history), new TimeSplit(n, n, n, Window, Horizon), saved.Season));
            origins.Add(new Origin(prepared.Count - 1, n - 1));
        }
        return _forecaster.Ahead(prepared, origins);
    }

    private static string Shape(int[]? shape) => shape is null ? "?" : string.Join(", ", shape.Select(d => d < 0 ? "T" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)));
}
