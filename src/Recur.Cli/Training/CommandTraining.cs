using Recur.Cli.Common;
using Recur.Cli.Output;
using Recur.Models;
using Recur.Training;

namespace Recur.Cli.Training;

/// <summary>
/// The callbacks with which every command trains through <see cref="Model.Fit(Recur.Data.IBatchSource, int, Recur.Data.IBatchSource?, int?, IReadOnlyList{Callback}?, Verbosity, CancellationToken)"/>:
/// the best weights by <see cref="Monitor"/> kept and saved to the model file each time they
/// improve (and restored at the end), the learning rate halved after <see cref="DecayPatience"/>
/// rounds without improvement, an early stop after <see cref="Patience"/>, a step limit and a time
/// budget (both stop after the current batch; the partial round is still evaluated), the command's
/// stop condition, the history and console lines (<see cref="RunLog"/>), and a backup after every
/// round that <c>--resume</c> continues from.
/// </summary>
internal sealed class CommandTraining(Model model, CliContext ctx, Ui ui, RunDirectory run, string modelFile, HistoryCsv history, string fingerprint, string backupFile = "backup.safetensors")
{
    private List<Callback>? _callbacks;
    private EarlyStopping? _best;
    private ModelCheckpoint? _checkpoint;
    private StepBudget? _steps;
    private TimeBudget? _time;
    private StopWhenCallback? _stopWhen;
    private RunLog? _log;

    /// <summary>The logged quantity that picks the best round (default val_loss).</summary>
    public string Monitor { get; init; } = "val_loss";

    /// <summary>True when larger values of <see cref="Monitor"/> are better.</summary>
    public bool Maximize { get; init; }

    public int MaxRounds { get; init; } = 10;
    public long? MaxSteps { get; init; }
    public TimeSpan? Budget { get; init; }
    public int Patience { get; init; } = int.MaxValue;
    public int DecayPatience { get; init; } = int.MaxValue;
    public float DecayFactor { get; init; } = 0.5f;

    /// <summary>Batches per round, for the progress line.</summary>
    public int? StepsPerRound { get; init; }

    /// <summary>Stops after a round whose logs satisfy this (e.g. a task solved), with <see cref="StopWhenReason"/>.</summary>
    public Func<IReadOnlyDictionary<string, double>, bool>? StopWhen { get; init; }

    public string StopWhenReason { get; init; } = "target reached";

    /// <summary>What a round is called in the output ("epoch", "eval").</summary>
    public string RoundName { get; init; } = "epoch";

    /// <summary>The command's own quantities for round r (validation it computes itself, a training metric).</summary>
    public Func<int, IReadOnlyDictionary<string, double>>? Extra { get; init; }

    /// <summary>Called before every batch with the updates done and the training time so far (schedules).</summary>
    public Action<long, TimeSpan>? BeforeBatch { get; init; }

    /// <summary>Updates so far.</summary>
    public long Steps => _log?.Steps ?? 0;

    /// <summary>The callbacks to pass to Fit (built once).</summary>
    public IReadOnlyList<Callback> Callbacks => _callbacks ??= Build();

    private List<Callback> Build()
    {
        var mode = Maximize ? MonitorMode.Max : MonitorMode.Min;
        var list = new List<Callback>();
        if (MaxSteps is { } ms) list.Add(_steps = new StepBudget(ms));
        if (Budget is { } b) list.Add(_time = new TimeBudget(b));
        if (BeforeBatch is { } before) list.Add(new BeforeBatchCallback(before, () => (Steps, _log!.Elapsed)));
        list.Add(_best = new EarlyStopping(Monitor, Patience, minDelta: 0, mode, restoreBestWeights: true));
        list.Add(_checkpoint = new ModelCheckpoint(modelFile, Monitor, saveBestOnly: true, mode, includeOptimizer: false));
        if (DecayPatience != int.MaxValue) list.Add(new ReduceLROnPlateau(Monitor, DecayFactor, DecayPatience, minDelta: 0, mode: mode));
        if (StopWhen is { } when) list.Add(_stopWhen = new StopWhenCallback(when));
        var best = _best;
        list.Add(_log = new RunLog(ui, history, RoundName, MaxRounds, StepsPerRound, Extra, epoch => best.BestEpoch == epoch));
        list.AddRange(ctx.ExtraCallbacks);
        // The backup stays until the run completes: a run with several trainings (adding --compare)
        // resumes the finished ones at once.
        list.Add(Backup(run, backupFile, fingerprint));
        return list;
    }

    /// <summary>
    /// The backup of one training in <paramref name="run"/> (a scratch file: it stays until the run
    /// completes, so a resumed run finds the trainings that had finished as well).
    /// </summary>
    public static BackupAndRestore Backup(RunDirectory run, string name, string fingerprint)
    {
        string backup = run.Scratch(name);
        return new BackupAndRestore(Path.GetDirectoryName(backup)!, fingerprint, deleteOnTrainEnd: false, Path.GetFileName(backup));
    }

    /// <summary>After Fit: the model file written even when no round improved, and how the run ended.</summary>
    public LoopResult Finish()
    {
        _ = Callbacks;
        if (_checkpoint!.LastSaved is null) model.Save(modelFile, includeOptimizer: false);
        bool interrupted = ctx.Cancellation.IsCancellationRequested;
        string reason = interrupted ? "interrupted (Ctrl-C)"
            : _steps?.Stopped == true ? $"step limit ({MaxSteps})"
            : _time?.Stopped == true ? $"time budget ({Budget!.Value.TotalMinutes:0.##} min)"
            : _best!.StoppedEpoch >= 0 ? $"early stop ({Monitor} did not improve for {Patience} {RoundName}s)"
            : _stopWhen?.Stopped == true ? StopWhenReason
            : "completed";
        return new LoopResult(history.Rows.Count, _best!.BestEpoch + 1, _log!.Steps, _log.Elapsed.TotalSeconds, interrupted, reason);
    }

    private sealed class BeforeBatchCallback(Action<long, TimeSpan> action, Func<(long, TimeSpan)> now) : Callback
    {
        public override void OnBatchBegin(int batch)
        {
            var (steps, elapsed) = now();
            action(steps, elapsed);
        }
    }

    private sealed class StopWhenCallback(Func<IReadOnlyDictionary<string, double>, bool> when) : Callback
    {
        public bool Stopped { get; private set; }

        public override void OnTrainBegin() => Stopped = false;

        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
        {
            if (Model.StopTraining || !when(logs)) return;
            Stopped = true;
            Model.StopTraining = true;
        }

        public override void SaveState(CallbackState state) => state.Set("stopped", Stopped ? 1 : 0);

        public override void LoadState(CallbackState state) => Stopped = state.GetNumber("stopped") != 0;
    }
}
