using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Recur.Cli.Common;
using Recur.Cli.Data;
using Recur.Cli.Output;
using Recur.Cli.Training;
using Recur.Layers;
using Recur.Losses;
using Recur.Models;

namespace Recur.Cli.Tasks;

/// <summary>
/// <c>recur forecast</c>: one-step (or <c>--horizon</c>-step) forecasting of a CSV column from a
/// window of its past (plus optional feature columns).
/// </summary>
/// <remarks>
/// <para>Framing. For each time t with a full window, the input is rows t−W+1 … t and the target
/// is y[t+h]. Test targets are the last rows of the file; their input windows hold the observed
/// past (walk-forward evaluation, as the published baselines are computed).</para>
/// <para>Scaling (train-span statistics only). The series v is log y when every value is positive
/// (<c>--log auto</c>), else y. Each window is taken relative to its last value,
/// (v[t−k] − v[t]) / σ, and the target is the change (v[t+h] − v[t]) / σ, with σ the standard
/// deviation of v over the rows before the test span. Relative windows make the network blind to
/// the level, so a trend that leaves the training range does not push it out of its range; an
/// output of 0 is the naive forecast. Numeric features are z-scored, categorical ones one-hot.</para>
/// <para>Baselines on exactly the same test targets: naive ŷ[τ] = y[τ−h] (the last value observed
/// when forecasting) and seasonal naive ŷ[τ] = y[τ − s·⌈h/s⌉] (the same season's last observed value).</para>
/// </remarks>
internal sealed class ForecastCommand
{
    public const string Task = "forecast";

    public static readonly TaskDefaults Defaults = new()
    {
        Cell = "lstm", Units = 32, Layers = 1, Bidirectional = false, Epochs = 0, Batch = 16, LearningRate = 3e-3f, Clip = 1f, Seed = 1,
    };

    private readonly CliContext _ctx;
    private readonly CommonOptions _common;
    private readonly HeaderOptions _header;
    private readonly Option<string?> _csv = new("--csv") { Description = "The series: a CSV with one row per time step (default: bundled airline passengers, with --test-size 48 --season 12)", HelpName = "FILE" };
    private readonly Option<string?> _target = new("--target") { Description = "Column to forecast: name or 0-based index (default: the last column)" };
    private readonly Option<string?> _features = new("--features") { Description = "Extra input columns, comma-separated (numeric ones scaled, others one-hot)", HelpName = "COL,COL" };
    private readonly Option<int> _window = new("--window") { Description = "Past time steps the network reads", DefaultValueFactory = _ => 24 };
    private readonly Option<int> _horizon = new("--horizon") { Description = "Forecast this many steps ahead", DefaultValueFactory = _ => 1 };
    private readonly Option<int?> _season = new("--season") { Description = "Season length for the seasonal-naive baseline (e.g. 12 for monthly data)" };
    private readonly Option<double> _testFraction = new("--test-fraction") { Description = "Last fraction of the rows to test on", DefaultValueFactory = _ => 0.2 };
    private readonly Option<int?> _testSize = new("--test-size") { Description = "Last this many rows to test on (instead of --test-fraction)" };
    private readonly Option<string> _log = new("--log") { Description = "Model log(y): auto (when every value is positive), yes or no", DefaultValueFactory = _ => "auto" };
    private readonly Option<double> _valFraction = new("--val-fraction") { Description = "Last fraction of the training windows held out to pick the best epoch (0: keep the epoch with the lowest training loss)", DefaultValueFactory = _ => 0.0 };

    private ForecastCommand(CliContext ctx, Command command)
    {
        _ctx = ctx;
        _log.AcceptOnlyFromAmong("auto", "yes", "no");
        foreach (var o in new Option[] { _csv, _target, _features, _window, _horizon, _season, _testFraction, _testSize, _log, _valFraction })
            command.Add(o);
        _header = new HeaderOptions(command);
        _common = new CommonOptions(command, Defaults, Task, epochsHelp: "auto: about 1,500 updates, 20-300 epochs");
        command.SetAction(Run);
    }

    public static Command Create(CliContext ctx)
    {
        var command = new Command(Task, "Forecast a numeric CSV column from its past and report RMSE against naive baselines (default: airline passengers)");
        _ = new ForecastCommand(ctx, command);
        return command;
    }

    private int Run(ParseResult r)
    {
        var s = _common.Read(r);
        ThreadSetting.Apply(s.Threads);
        var ui = _ctx.Ui(s.Quiet);
        bool bundled = r.GetValue(_csv) is null;
        string path = r.GetValue(_csv) ?? BundledData.Path("timeseries_univariate/airline-passengers.csv");
        int window = r.GetValue(_window), horizon = r.GetValue(_horizon);
        CommonOptions.Positive("--window", window);
        CommonOptions.Positive("--horizon", horizon);
        int? season = r.GetValue(_season) ?? (bundled ? 12 : null);
        if (season is { } sv) CommonOptions.Positive("--season", sv);
        double valFraction = r.GetValue(_valFraction);
        if (!(valFraction >= 0 && valFraction < 0.5)) throw new InputException($"--val-fraction is {valFraction}; expected a value in [0, 0.5).");

        // The series and its features.
        var file = SeriesFile.Read(path, bundled ? true : _header.Read(r));
        int targetColumn = r.GetValue(_target) is { } tc ? file.File.Column(tc, "--target") : file.File.ColumnCount - 1;
        string targetName = file.File.ColumnName(targetColumn);
        var y = file.Numeric(targetColumn, out var observed);
        int missing = observed.Count(o => !o);
        var features = Features(file, r.GetValue(_features), targetColumn, ref missing);
        int n = file.Length;
        int testSize = r.GetValue(_testSize) ?? (bundled ? 48 : (int)Math.Round(n * r.GetValue(_testFraction)));
        if (r.GetValue(_testSize) is null && !(r.GetValue(_testFraction) > 0 && r.GetValue(_testFraction) < 1))
            throw new InputException($"--test-fraction is {r.GetValue(_testFraction)}; expected a value in (0, 1).");
        if (testSize < 1 || testSize >= n) throw new InputException($"{path}: a test span of {testSize} rows does not fit a series of {n} rows.");
        if (window >= n) throw new InputException($"--window {window} is longer than the series ({n} rows in {path}).");
        int firstTarget = window - 1 + horizon, trainEnd = n - testSize; // targets [firstTarget, trainEnd) train, [trainEnd, n) test
        if (trainEnd - firstTarget < 2)
            throw new InputException($"--window {window} and --horizon {horizon} leave {Math.Max(0, trainEnd - firstTarget)} training windows before the test span (rows {trainEnd + 1}-{n} of {path}); use a shorter window or a smaller test span.");
        int seasonLag = season is { } sl ? sl * ((horizon + sl - 1) / sl) : 0;
        if (season is not null && trainEnd - seasonLag < 0)
            throw new InputException($"--season {season}: the seasonal-naive baseline needs {seasonLag} rows before the test span; there are {trainEnd}.");

        // v = log y or y; σ from the rows before the test span only.
        string logMode = r.GetValue(_log)!;
        bool useLog = logMode == "yes" || (logMode == "auto" && y.All(v => v > 0));
        if (useLog && y.Any(v => v <= 0)) throw new InputException($"--log yes: column {targetName} has values ≤ 0.");
        var v = useLog ? y.Select(x => Math.Log(x)).ToArray() : y;
        double sigma = StdDev(v.AsSpan(0, trainEnd));
        if (sigma == 0) sigma = 1;
        foreach (var f in features) f.Fit(trainEnd);

        // Windows → (samples, W, 1 + F) inputs, (samples, 1) targets.
        var trainIdx = new List<int>();
        var testIdx = new List<int>();
        for (int t = window - 1; t + horizon < n; t++)
        {
            int tau = t + horizon;
            if (!observed[tau]) continue; // gaps are filled for inputs, never scored
            (tau < trainEnd ? trainIdx : testIdx).Add(t);
        }
        if (testIdx.Count == 0) throw new InputException($"{path}: every target in the test span is missing.");
        int width = 1 + features.Sum(f => f.Width);
        Tensor Inputs(IReadOnlyList<int> ts)
        {
            var x = Tensor.Zeros(ts.Count, window, width);
            var span = x.Span;
            for (int i = 0; i < ts.Count; i++)
                for (int k = 0; k < window; k++)
                {
                    int row = ts[i] - window + 1 + k, o = (i * window + k) * width;
                    span[o] = (float)((v[row] - v[ts[i]]) / sigma);
                    int col = o + 1;
                    foreach (var f in features) col += f.Write(row, span[col..]);
                }
            return x;
        }
        Tensor Targets(IReadOnlyList<int> ts) => Tensor.FromArray(ts.Select(t => (float)((v[t + horizon] - v[t]) / sigma)).ToArray(), ts.Count, 1);
        int nVal = (int)Math.Floor(trainIdx.Count * valFraction);
        var valIdx = trainIdx.Skip(trainIdx.Count - nVal).ToList();
        var fitIdx = trainIdx.Take(trainIdx.Count - nVal).ToList();
        var xFit = Inputs(fitIdx);
        var yFit = Targets(fitIdx);
        double[] Forecast(Model m, IReadOnlyList<int> ts)
        {
            var p = m.Predict(Inputs(ts), batchSize: 256).Span;
            var result = new double[ts.Count];
            for (int i = 0; i < ts.Count; i++)
            {
                double level = v[ts[i]] + p[i] * sigma;
                result[i] = useLog ? Math.Exp(level) : level;
            }
            return result;
        }
        double[] Actual(IReadOnlyList<int> ts) => ts.Select(t => y[t + horizon]).ToArray();

        var model = new Sequential(s.Seed, Network.Recurrent(s, returnSequences: false), new Dense(1));
        Network.Compile(model, s, Loss.MeanSquaredError());
        int batch = Math.Min(s.Batch, fitIdx.Count);
        int stepsPerEpoch = (fitIdx.Count + batch - 1) / batch;
        int epochs = s.Epochs > 0 ? s.Epochs : Math.Clamp((int)Math.Ceiling(1500.0 / stepsPerEpoch), 20, 300);

        ui.Info($"forecast: {s.Describe()} on {path}, target {targetName}{(useLog ? " (log scale)" : "")}{(features.Count > 0 ? ", features " + string.Join(", ", features.Select(f => f.Name)) : "")}; " +
                $"window {window}, horizon {horizon}; {fitIdx.Count} training{(nVal > 0 ? $", {nVal} validation" : "")} and {testIdx.Count} test windows " +
                $"(test = rows {trainEnd + 1}-{n}); {missing} missing value{(missing == 1 ? "" : "s")} filled by interpolation; {epochs} epochs");

        var run = RunDirectory.Create(s.Out, Task);
        JsonFiles.Write(run.File("task.json"), new JsonObject
        {
            ["task"] = Task, ["format"] = 1, ["target"] = targetName, ["log"] = useLog, ["sigma"] = sigma,
            ["window"] = window, ["horizon"] = horizon, ["features"] = new JsonArray(features.Select(f => (JsonNode?)f.Describe()).ToArray()),
            ["model"] = s.Describe(),
        });
        var history = new HistoryCsv(run.File("history.csv"));
        var random = new SeededRandom(s.Seed ^ 0xF0CA57UL);
        var loop = new TrainLoop(model, ui, run.File("model.recur"), history)
        {
            Monitor = nVal > 0 ? "val_loss" : "loss", MaxRounds = epochs,
            Patience = nVal > 0 ? Math.Max(10, epochs / 5) : int.MaxValue,
        };
        var result = loop.Run(
            _ => Batches.Shuffled(xFit, yFit, batch, random),
            _ => stepsPerEpoch,
            () =>
            {
                var logs = new Dictionary<string, double> { ["rmse"] = Rmse(Forecast(model, fitIdx), Actual(fitIdx)) };
                if (nVal > 0)
                {
                    logs["val_loss"] = model.Evaluate(Inputs(valIdx), Targets(valIdx), batchSize: 256)["loss"];
                    logs["val_rmse"] = Rmse(Forecast(model, valIdx), Actual(valIdx));
                }
                return logs;
            },
            _ctx.Cancellation);

        // Scores in the target's own units, on exactly the same test targets.
        var actual = Actual(testIdx);
        var forecast = Forecast(model, testIdx);
        var naive = testIdx.Select(t => y[t]).ToArray();
        var seasonal = season is null ? null : testIdx.Select(t => y[t + horizon - seasonLag]).ToArray();
        double testRmse = Rmse(forecast, actual), naiveRmse = Rmse(naive, actual);
        double? seasonalRmse = seasonal is null ? null : Rmse(seasonal, actual);
        double trainRmse = Rmse(Forecast(model, trainIdx), Actual(trainIdx));
        var metrics = new Dictionary<string, object>
        {
            ["test_rmse"] = testRmse,
            ["test_mae"] = forecast.Zip(actual, (a, b) => Math.Abs(a - b)).Average(),
            ["train_rmse"] = trainRmse,
            ["naive_rmse"] = naiveRmse,
        };
        if (seasonalRmse is { } sr) metrics["seasonal_naive_rmse"] = sr;
        metrics["test_size"] = testIdx.Count;
        metrics["missing_filled"] = missing;
        metrics["best_epoch"] = result.BestRound;
        metrics["epochs"] = result.Rounds;
        metrics["train_seconds"] = Math.Round(result.Seconds, 1);
        metrics["interrupted"] = result.Interrupted;

        WritePredictions(run.File("predictions.csv"), file, testIdx, horizon, actual, forecast, naive, seasonal);
        var plot = new SvgPlot($"forecast of {targetName}: test span", "row", targetName);
        var xs = testIdx.Select(t => (double)(t + horizon + 1)).ToArray();
        plot.Add("actual", xs, actual).Add($"{s.Cell.ToUpperInvariant()} forecast", xs, forecast);
        if (seasonal is not null) plot.Add($"seasonal naive ({season})", xs, seasonal, dashed: true);
        else plot.Add("naive", xs, naive, dashed: true);
        plot.Save(run.File("forecast.svg"));
        var plots = Plots.LearningCurves(history, run.File, "forecast", "rmse");
        JsonFiles.WriteMetrics(run.File(RunDirectory.MetricsFile), metrics);
        run.Complete();

        ui.Summary($"test RMSE {Numbers.Format(testRmse, 3)} (MAE {Numbers.Format((double)metrics["test_mae"], 3)}) over the last {testIdx.Count} rows; naive {Numbers.Format(naiveRmse, 3)}" +
                   (seasonalRmse is { } s2 ? $", seasonal naive ({season}) {Numbers.Format(s2, 3)}" : "") + $"; train RMSE {Numbers.Format(trainRmse, 3)} — in units of {targetName}");
        ui.Summary($"best epoch {result.BestRound} of {result.Rounds}, {result.StopReason}, {result.Seconds:0} s; {missing} missing value{(missing == 1 ? "" : "s")} filled; wrote {run.FinalPath}/ (model.recur, task.json, history.csv, metrics.json, predictions.csv, forecast.svg, {string.Join(", ", plots)})");
        return CliApp.Success;
    }

    private static List<Feature> Features(SeriesFile file, string? spec, int targetColumn, ref int missing)
    {
        var list = new List<Feature>();
        if (string.IsNullOrWhiteSpace(spec)) return list;
        foreach (var name in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct())
        {
            int c = file.File.Column(name, "--features");
            if (c == targetColumn) continue; // the target's past is always an input
            if (file.IsNumeric(c))
            {
                var values = file.Numeric(c, out var obs);
                missing += obs.Count(o => !o);
                list.Add(new NumericFeature(file.File.ColumnName(c), values));
            }
            else list.Add(new CategoricalFeature(file.File.ColumnName(c), file.Text(c)));
        }
        return list;
    }

    private static void WritePredictions(string path, SeriesFile file, List<int> ts, int horizon, double[] actual, double[] forecast, double[] naive, double[]? seasonal)
    {
        var sb = new StringBuilder("line,actual,forecast,naive" + (seasonal is null ? "" : ",seasonal_naive") + "\n");
        for (int i = 0; i < ts.Count; i++)
        {
            sb.Append(file.Line(ts[i] + horizon)).Append(',').Append(F(actual[i])).Append(',').Append(F(forecast[i])).Append(',').Append(F(naive[i]));
            if (seasonal is not null) sb.Append(',').Append(F(seasonal[i]));
            sb.Append('\n');
        }
        JsonFiles.WriteAtomic(path, new UTF8Encoding(false).GetBytes(sb.ToString()));
        static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
    }

    internal static double Rmse(double[] prediction, double[] actual)
        => Math.Sqrt(prediction.Zip(actual, (p, a) => (p - a) * (p - a)).Average());

    private static double StdDev(ReadOnlySpan<double> values)
    {
        double mean = 0, m2 = 0;
        foreach (var x in values) mean += x;
        mean /= values.Length;
        foreach (var x in values) m2 += (x - mean) * (x - mean);
        return Math.Sqrt(m2 / values.Length);
    }

    /// <summary>An extra input column, scaled with statistics of the training rows.</summary>
    private abstract class Feature(string name)
    {
        public string Name { get; } = name;
        public abstract int Width { get; }
        public virtual void Fit(int trainRows) { }
        /// <summary>Writes the feature of row <paramref name="row"/>; returns the values written.</summary>
        public abstract int Write(int row, Span<float> into);
        public abstract JsonObject Describe();
    }

    private sealed class NumericFeature(string name, double[] values) : Feature(name)
    {
        private double _mean, _std = 1;
        public override int Width => 1;

        public override void Fit(int trainRows)
        {
            var span = values.AsSpan(0, trainRows);
            _mean = span.ToArray().Average();
            _std = StdDev(span);
            if (_std == 0) _std = 1;
        }

        public override int Write(int row, Span<float> into)
        {
            into[0] = (float)((values[row] - _mean) / _std);
            return 1;
        }

        public override JsonObject Describe() => new() { ["name"] = Name, ["kind"] = "numeric", ["mean"] = _mean, ["std"] = _std };
    }

    private sealed class CategoricalFeature(string name, string[] values) : Feature(name)
    {
        private readonly string[] _categories = values.Where(v => !Numbers.IsMissing(v)).Distinct().Order(StringComparer.Ordinal).ToArray();
        public override int Width => _categories.Length;

        public override int Write(int row, Span<float> into)
        {
            int k = Array.BinarySearch(_categories, values[row], StringComparer.Ordinal);
            if (k >= 0) into[k] = 1f; // a missing category is all zeros
            return _categories.Length;
        }

        public override JsonObject Describe() => new()
        {
            ["name"] = Name, ["kind"] = "one-hot", ["categories"] = new JsonArray(_categories.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray()),
        };
    }
}
