using System.CommandLine;
using Recur.Cli.Common;
using Recur.Cli.Data;
using Recur.Cli.Forecasting;
using Recur.Cli.Output;
using Recur.Cli.Training;
using Recur.Layers;
using Recur.Losses;
using Recur.Models;
using Recur.Training;
using ForecastWindows = Recur.Cli.Forecasting.Windows; // "Windows" alone is also a namespace of the ASP.NET Core framework that Recur.Serve brings

namespace Recur.Cli.Tasks;

/// <summary>
/// <c>recur forecast</c>: forecasts of the next <c>--horizon</c> values of a CSV column from a
/// window of its past (plus optional feature columns), for one series or many in long format
/// (<c>--id-column</c>, one global model), by a seed ensemble of recurrent networks over
/// per-window normalised, deseasonalised inputs (see <see cref="SeriesScaler"/>).
/// </summary>
/// <remarks>
/// Each series is split in time order: fit span, validation slice (early stopping, the blend
/// with the base forecast, the decision to deseasonalise, the interval residuals), test span (the
/// last rows, scored once at the end, walk-forward from observed inputs). Baselines are scored on
/// exactly the same targets: naive ŷ[o + j] = y[o] and seasonal naive ŷ[o + j] = y[o + j − m⌈j/m⌉].
/// </remarks>
internal sealed class ForecastCommand
{
    public const string Task = "forecast";

    public static readonly TaskDefaults Defaults = new()
    {
        Cell = "lstm",
        Units = 32,
        Layers = 1,
        Bidirectional = false,
        Epochs = 0,
        Batch = 16,
        LearningRate = 3e-3f,
        Clip = 1f,
        Seed = 1,
    };

    private readonly CliContext _ctx;
    private readonly CommonOptions _common;
    private readonly HeaderOptions _header;
    private readonly Option<string?> _csv = new("--csv") { Description = "The series: a CSV with one row per time step (default: bundled airline passengers, with --test-size 48 --season 12)", HelpName = "FILE" };
    private readonly Option<string?> _target = new("--target") { Description = "Column to forecast: name or 0-based index (default: the last column)" };
    private readonly Option<string?> _features = new("--features") { Description = "Extra input columns, comma-separated (numeric ones scaled, others one-hot)", HelpName = "COL,COL" };
    private readonly Option<string?> _idColumn = new("--id-column") { Description = "Long format: the column naming the series of each row; one global model is trained across them, each series scaled on its own", HelpName = "COL" };
    private readonly Option<string?> _timeColumn = new("--time-column") { Description = "Long format: the time stamp column, checked sorted and unique per series (default: the first other column)", HelpName = "COL" };
    private readonly Option<int?> _window = new("--window") { Description = "Past time steps the network reads (default: season + 1, at least 12; 24 for long seasons; shorter for short series)" };
    private readonly Option<int> _horizon = new("--horizon") { Description = "Forecast the next h values at once; metrics per step", DefaultValueFactory = _ => 1 };
    private readonly Option<int?> _season = new("--season") { Description = "Season length, e.g. 12 for monthly data (default: detected on the fit span, kept when it helps on the validation slice; 1: none)" };
    private readonly Option<double> _testFraction = new("--test-fraction") { Description = "Last fraction of each series to test on", DefaultValueFactory = _ => 0.2 };
    private readonly Option<int?> _testSize = new("--test-size") { Description = "Last this many rows of each series to test on (instead of --test-fraction)" };
    private readonly Option<string> _log = new("--log") { Description = "Model log(y): auto (when every value is positive), yes or no", DefaultValueFactory = _ => "auto" };
    private readonly Option<double> _valFraction = new("--val-fraction") { Description = "Fraction of the rows before the test span held out, in time order, for early stopping and model selection", DefaultValueFactory = _ => 0.2 };
    private readonly Option<int> _ensemble = new("--ensemble") { Description = "Networks trained with different seeds; the forecast is their median", DefaultValueFactory = _ => 5 };
    private readonly Option<double> _interval = new("--interval") { Description = "Coverage of the prediction interval", DefaultValueFactory = _ => 0.8 };

    private ForecastCommand(CliContext ctx, Command command)
    {
        _ctx = ctx;
        _log.AcceptOnlyFromAmong("auto", "yes", "no");
        foreach (var o in new Option[] { _csv, _target, _features, _idColumn, _timeColumn, _window, _horizon, _season, _testFraction, _testSize, _log, _valFraction, _ensemble, _interval })
            command.Add(o);
        _header = new HeaderOptions(command);
        _common = new CommonOptions(command, Defaults, Task, epochsHelp: "auto: about 2,000 updates, 20-300 epochs, early stopping", resumable: true);
        command.SetAction(Run);
    }

    public static Command Create(CliContext ctx)
    {
        var command = new Command(Task, "Forecast a numeric CSV column (one series or many) from its past and report RMSE, MAE, MASE and sMAPE against naive baselines (default: airline passengers)");
        _ = new ForecastCommand(ctx, command);
        return command;
    }

    private int Run(ParseResult r)
    {
        var s = _common.Read(r);
        using var threadLimit = ThreadSetting.Limit(s.Threads);
        var ui = _ctx.Ui(s.Quiet);
        bool bundled = r.GetValue(_csv) is null;
        string path = r.GetValue(_csv) ?? BundledData.Path("timeseries_univariate/airline-passengers.csv");
        int horizon = r.GetValue(_horizon), k = r.GetValue(_ensemble);
        if (r.GetValue(_window) is { } w) CommonOptions.Positive("--window", w);
        CommonOptions.Positive("--horizon", horizon);
        CommonOptions.Positive("--ensemble", k);
        int? season = r.GetValue(_season) ?? (bundled ? 12 : null);
        if (season is { } sv) CommonOptions.Positive("--season", sv);
        if (season == 1) season = 0;
        double valFraction = r.GetValue(_valFraction), level = r.GetValue(_interval), testFraction = r.GetValue(_testFraction);
        if (!(valFraction > 0 && valFraction < 0.5)) throw new InputException($"--val-fraction is {CommonOptions.Text(valFraction)}; expected a value in (0, 0.5).");
        if (!(level > 0 && level < 1)) throw new InputException($"--interval is {CommonOptions.Text(level)}; expected a coverage in (0, 1), e.g. 0.8.");
        int? testSize = r.GetValue(_testSize) ?? (bundled ? 48 : null);
        if (testSize is null && !(testFraction > 0 && testFraction < 1))
            throw new InputException($"--test-fraction is {CommonOptions.Text(testFraction)}; expected a value in (0, 1).");

        // The series and their features.
        var file = SeriesFile.Read(path, bundled ? true : _header.Read(r));
        int targetColumn = r.GetValue(_target) is { } tc ? file.File.Column(tc, "--target") : file.File.ColumnCount - 1;
        string targetName = file.File.ColumnName(targetColumn);
        int? idColumn = r.GetValue(_idColumn) is { } ic ? file.File.Column(ic, "--id-column") : null;
        if (idColumn == targetColumn) throw new InputException($"--id-column {r.GetValue(_idColumn)} is the target column; name the column that identifies each series.");
        var featureColumns = FeatureColumns(file, r.GetValue(_features), targetColumn, idColumn);
        int? timeColumn = r.GetValue(_timeColumn) is { } tcol ? file.File.Column(tcol, "--time-column")
            : idColumn is null ? null : Enumerable.Range(0, file.File.ColumnCount).Cast<int?>().FirstOrDefault(c => c != idColumn && c != targetColumn && !featureColumns.Contains(c!.Value));
        var series = Series.Read(file, targetColumn, featureColumns, idColumn, timeColumn, out int missing);
        var options = new ForecastOptions(r.GetValue(_window), horizon, season, testFraction, testSize, r.GetValue(_log)!, valFraction);
        var prepared = ForecastSetup.Prepare(series, options, path, targetName, out int window, out string seasonNote);

        // Windows of the fit span and of the validation slice; the test span is not read here.
        var fitOrigins = ForecastWindows.Collect(prepared, split => split.FitOrigins());
        var valOrigins = ForecastWindows.Collect(prepared, split => split.ValidationOrigins());
        var xFit = ForecastWindows.Inputs(prepared, fitOrigins, window);
        var yFit = ForecastWindows.Targets(prepared, fitOrigins, horizon);
        var validation = (ForecastWindows.Inputs(prepared, valOrigins, window), ForecastWindows.Targets(prepared, valOrigins, horizon));
        int batch = Math.Min(Math.Max(s.Batch, (fitOrigins.Count + 199) / 200), fitOrigins.Count);
        int steps = (fitOrigins.Count + batch - 1) / batch;
        int epochs = s.Epochs > 0 ? s.Epochs : Math.Clamp((int)Math.Ceiling(2000.0 / steps), 20, 300);
        int patience = Math.Clamp(epochs / 5, 10, 30);
        bool anyLog = prepared.Any(p => p.Scaler.Log);

        ui.Info($"forecast: {k} × {s.Describe()} on {path}, target {targetName}{(series.Count > 1 ? $", {series.Count} series ({file.File.ColumnName(idColumn!.Value)})" : "")}" +
                $"{(anyLog ? " (log scale)" : "")}{(featureColumns.Count > 0 ? ", features " + string.Join(", ", featureColumns.Select(file.File.ColumnName)) : "")}; " +
                $"window {window}, horizon {horizon}, {seasonNote}; {fitOrigins.Count} fit and {valOrigins.Count} validation windows, " +
                $"test = last {prepared[0].Split.Length - prepared[0].Split.TestStart} rows{(series.Count > 1 ? " of each series" : "")}; " +
                $"{missing} missing value{(missing == 1 ? "" : "s")} filled by interpolation; at most {epochs} epochs, batch {batch}");

        var run = _ctx.OpenRun(s.Out, Task, s.Resume);
        var history = new HistoryCsv(run.File("history.csv"));
        // Each member has its own backup, kept until the run completes: --resume restores the
        // members that had finished and continues the one that was training.
        string fingerprint = CommonOptions.Fingerprint(r);
        var backups = new List<BackupAndRestore>();
        IEnumerable<Callback> MemberCallbacks(int member)
        {
            var backup = CommandTraining.Backup(run, member == 0 ? "backup.safetensors" : $"backup-{member + 1}.safetensors", fingerprint);
            backups.Add(backup);
            return member == 0 ? [new MemberHistory(history), .. _ctx.ExtraCallbacks, backup] : [.. _ctx.ExtraCallbacks, backup];
        }
        int width = ForecastWindows.Width(series[0]);
        Model Create(ulong seed)
        {
            var model = new Sequential(seed, Network.Recurrent(s, returnSequences: false), new Dense(horizon));
            Network.Compile(model, s, Loss.MeanSquaredError());
            return model;
        }
        var ensemble = SeedEnsemble.Train(k, s.Seed, Create, xFit, yFit, validation, epochs, batch, patience,
            (member, epoch, logs) => ui.Progress($"member {member + 1}/{k}  epoch {epoch + 1}  loss {logs["loss"]:0.0000}  val_loss {logs["val_loss"]:0.0000}"),
            _ctx.Cancellation, MemberCallbacks);
        ui.EndProgress();
        if (Resumed(backups) is { Count: > 0 } resumed)
            ui.Info($"resumed from the backups of member{(resumed.Count == 1 ? "" : "s")} {string.Join(", ", resumed)} of {k}");

        // Selection and intervals on the validation slice, then the test span, scored once.
        var forecaster = new EnsembleForecaster(prepared, ensemble, window, horizon, level);
        var shareRmse = forecaster.Calibrate(valOrigins, fitOrigins);
        var val = forecaster.Forecast(valOrigins, (_, _, _) => true);
        var fit = forecaster.Forecast(fitOrigins, (_, _, _) => true);
        // The settings chosen, the networks are trained again on every window before the test span.
        var final = ForecastSetup.RefitBases(prepared);
        var refitOrigins = ForecastWindows.Collect(final, split => split.FitOrigins().Concat(split.ValidationOrigins()));
        ui.Progress($"refit of the {k} members on {refitOrigins.Count} fit and validation windows");
        // The refit of each member has its own backup too: a run killed during the refit resumes it.
        var refitBackups = new List<BackupAndRestore>();
        IEnumerable<Callback> RefitCallbacks(int member)
        {
            var backup = CommandTraining.Backup(run, $"backup-refit-{member + 1}.safetensors", fingerprint);
            refitBackups.Add(backup);
            return [.. _ctx.ExtraCallbacks, backup];
        }
        var refit = ensemble.Refit(Create, ForecastWindows.Inputs(final, refitOrigins, window), ForecastWindows.Targets(final, refitOrigins, horizon), batch,
            _ctx.Cancellation, RefitCallbacks);
        ui.EndProgress();
        if (Resumed(refitBackups) is { Count: > 0 } resumedRefit)
            ui.Info($"resumed the refit of member{(resumedRefit.Count == 1 ? "" : "s")} {string.Join(", ", resumedRefit)} of {k} from its backup{(resumedRefit.Count == 1 ? "" : "s")}");
        var test = forecaster.On(final, refit).Forecast(ForecastWindows.Collect(final, split => split.TestOrigins()), (split, o, j) => split.IsTestTarget(o, j));
        if (test.Count == 0) throw new InputException($"{path}: every target in the test span is missing.");
        var metrics = Metrics(prepared, test, val, fit, horizon, ensemble, forecaster, shareRmse);
        metrics["test_size"] = test.Count(f => f.Step == 1);
        metrics["missing_filled"] = missing;
        metrics["series"] = series.Count;
        metrics["window"] = window;
        metrics["season"] = prepared[0].Season;
        metrics["base"] = ForecastSetup.Describe(prepared[0].Scaler);
        if (final[0].Scaler.Ar is { } ar)
        {
            metrics["seasonal_ar_phi"] = ar.Phi;
            metrics["seasonal_ar_drift"] = ar.Drift;
        }
        metrics["smoothing_alpha"] = prepared[0].Scaler.Alpha;
        metrics["smoothing_gamma"] = prepared[0].Scaler.Gamma;
        // The base alone (network share 0) on the test targets: reported, never used for a choice.
        metrics["test_base_rmse"] = Scores.Rmse(test, f => final[f.Series].Scaler.Decode(f.Origin, f.Step, 0));
        metrics["train_seconds"] = Math.Round(refit.Seconds, 1);
        metrics["refit_windows"] = refitOrigins.Count;
        metrics["interrupted"] = _ctx.Cancellation.IsCancellationRequested;

        for (int i = 0; i < refit.Members.Count; i++) refit.Members[i].Save(run.File(i == 0 ? "model.recur" : $"model-{i + 1}.recur"));
        JsonFiles.Write(run.File("task.json"), ForecastTaskFile.Write(final, window, horizon, k, forecaster, featureColumns.Select(file.File.ColumnName), targetName, s));
        ForecastOutputs.WritePredictions(run.File("predictions.csv"), final, test, horizon);
        ForecastOutputs.Plot(run.File("forecast.svg"), final, test, targetName, $"{s.Cell.ToUpperInvariant()} ensemble median ({k})", level);
        var plots = Plots.LearningCurves(history, run.File, "forecast (member 1)");
        JsonFiles.WriteMetrics(run.File(RunDirectory.MetricsFile), metrics);
        run.Complete();

        string F(string key) => metrics.TryGetValue(key, out var v) ? Numbers.Format((double)v, 3) : "n/a";
        int testRows = (int)metrics["test_size"];
        ui.Summary($"test RMSE {F("test_rmse")} (MAE {F("test_mae")}, MASE {F("test_mase")}, sMAPE {F("test_smape")} %) over {testRows} rows{(horizon > 1 ? $" × {horizon} steps" : "")}; " +
                   $"naive {F("naive_rmse")}" + (metrics.ContainsKey("seasonal_naive_rmse") ? $", seasonal naive ({prepared[0].Season}) {F("seasonal_naive_rmse")}" : "") +
                   $"; train RMSE {F("train_rmse")} — in units of {targetName}");
        ui.Summary($"validation slice ({val.Count(f => f.Step == 1)} rows, never the test span): RMSE {F("validation_rmse")}, naive {F("validation_naive_rmse")}" +
                   (metrics.ContainsKey("validation_seasonal_naive_rmse") ? $", seasonal naive {F("validation_seasonal_naive_rmse")}" : "") +
                   $"; network share {forecaster.Blend:0.##} of its output (chosen there); {Math.Round(level * 100)} % interval covers {Numbers.Format((double)metrics["test_interval_coverage"] * 100, 1)} % of the test rows (mean width {F("test_interval_width")})");
        if (horizon > 1)
            ui.Summary("test RMSE by step: " + string.Join(", ", Enumerable.Range(1, horizon).Select(j => $"{j}: {F($"test_rmse_step{j}")}")));
        ui.Summary($"{k} members, best epochs {string.Join(", ", ensemble.Results.Select(m => m.BestEpoch))} (of at most {epochs}), {refit.Seconds:0} s (with the refit on the fit and validation windows); " +
                   $"{missing} missing value{(missing == 1 ? "" : "s")} filled; wrote {run.FinalPath}/ (model.recur{(k > 1 ? $" … model-{k}.recur" : "")}, task.json, history.csv, metrics.json, predictions.csv, forecast.svg, {string.Join(", ", plots)})");
        return CliApp.Success;
    }

    /// <summary>The members (1-based) whose training continued from a backup.</summary>
    private static List<int> Resumed(List<BackupAndRestore> backups)
        => backups.Select((b, i) => (b, i)).Where(x => x.b.ResumedAtEpoch is not null).Select(x => x.i + 1).ToList();

    private static Dictionary<string, object> Metrics(IReadOnlyList<PreparedSeries> prepared, List<ScoredForecast> test, List<ScoredForecast> val, List<ScoredForecast> fit,
        int horizon, SeedEnsemble ensemble, EnsembleForecaster forecaster, (double Base, double Network) shareRmse)
    {
        var m = new Dictionary<string, object>
        {
            ["test_rmse"] = Scores.Rmse(test, f => f.Forecast),
            ["test_mae"] = Scores.Mae(test),
            ["test_mase"] = Scores.Mase(test, prepared),
            ["test_smape"] = Scores.Smape(test),
            ["train_rmse"] = Scores.Rmse(fit, f => f.Forecast),
            ["naive_rmse"] = Scores.Rmse(test, f => f.Naive),
        };
        bool seasonal = test.All(f => !double.IsNaN(f.SeasonalNaive));
        if (seasonal) m["seasonal_naive_rmse"] = Scores.Rmse(test, f => f.SeasonalNaive);
        m["validation_rmse"] = Scores.Rmse(val, f => f.Forecast);
        m["validation_naive_rmse"] = Scores.Rmse(val, f => f.Naive);
        if (val.All(f => !double.IsNaN(f.SeasonalNaive))) m["validation_seasonal_naive_rmse"] = Scores.Rmse(val, f => f.SeasonalNaive);
        m["validation_base_rmse"] = shareRmse.Base;
        m["validation_network_rmse"] = shareRmse.Network;
        m["blend"] = forecaster.Blend;
        m["test_interval_coverage"] = Scores.Coverage(test);
        m["test_interval_width"] = Scores.MeanWidth(test);
        m["interval_level"] = forecaster.Level;
        m["ensemble"] = ensemble.Members.Count;
        m["horizon"] = horizon;
        if (horizon > 1)
            for (int j = 1; j <= horizon; j++)
            {
                var step = test.Where(f => f.Step == j).ToList();
                m[$"test_rmse_step{j}"] = Scores.Rmse(step, f => f.Forecast);
                m[$"naive_rmse_step{j}"] = Scores.Rmse(step, f => f.Naive);
            }
        m["best_epoch"] = ensemble.Results[0].BestEpoch;
        m["epochs"] = ensemble.Results.Max(r => r.Epochs);
        return m;
    }

    /// <summary>
    /// The first member's epochs in history.csv; the rows so far are kept in its backup, so a
    /// resumed run writes the whole history again.
    /// </summary>
    private sealed class MemberHistory(HistoryCsv history) : Callback
    {
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
            => history.Append(new Dictionary<string, double>(logs) { ["epoch"] = epoch + 1 });

        public override void SaveState(CallbackState state) => state.Set("rows", history.SaveState());

        public override void LoadState(CallbackState state) => history.Restore(state.GetText("rows"));
    }

    private static List<int> FeatureColumns(SeriesFile file, string? spec, int targetColumn, int? idColumn)
    {
        var list = new List<int>();
        if (string.IsNullOrWhiteSpace(spec)) return list;
        foreach (var name in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct())
        {
            int c = file.File.Column(name, "--features");
            if (c == targetColumn || c == idColumn || list.Contains(c)) continue; // the target's past is always an input
            list.Add(c);
        }
        return list;
    }
}
