using System.Diagnostics;
using System.Globalization;
using Recur.Cli.Common;
using Recur.Cli.Output;
using Recur.Training;

namespace Recur.Cli.Training;

/// <summary>
/// The console and <c>history.csv</c> side of a command's training: updates and time over the
/// whole run (a resumed run continues both), a progress line on interactive consoles, the
/// command's own quantities added to each round's logs, and one history row and one console line
/// per round: <c>epoch, loss, val_*, other quantities, lr, steps, seconds</c>.
/// </summary>
internal sealed class RunLog(Ui ui, HistoryCsv history, string roundName, int maxRounds, int? stepsPerRound,
    Func<int, IReadOnlyDictionary<string, double>>? extra, Func<int, bool> improved) : Callback
{
    private readonly Stopwatch _clock = new(), _progress = new();
    private TimeSpan _before;
    private int _round, _inRound;

    /// <summary>Updates over the whole run.</summary>
    public long Steps { get; private set; }

    /// <summary>Training time over the whole run (validation included, as each round's "seconds").</summary>
    public TimeSpan Elapsed => _before + _clock.Elapsed;

    public override void OnTrainBegin()
    {
        Steps = 0;
        _before = TimeSpan.Zero;
        _clock.Restart();
    }

    public override void OnTrainEnd() => _clock.Stop();

    public override void OnEpochBegin(int epoch)
    {
        _round = epoch;
        _inRound = 0;
        _progress.Restart();
    }

    public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs)
    {
        Steps++;
        _inRound++;
        if (_progress.ElapsedMilliseconds < 200) return;
        _progress.Restart();
        ui.Progress($"{roundName} {Of(_round)}  step {_inRound}{(stepsPerRound is { } t ? "/" + t : "")}  loss {logs["loss"]:0.0000}  {Elapsed.TotalSeconds:0}s");
    }

    public override void OnEpochEvaluated(int epoch, IDictionary<string, double> logs)
    {
        if (extra is null) return;
        foreach (var (k, v) in extra(epoch)) logs[k] = v;
    }

    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
    {
        ui.EndProgress();
        var row = new Dictionary<string, double> { ["epoch"] = epoch + 1, ["loss"] = logs["loss"] };
        foreach (var (k, v) in logs.Where(kv => kv.Key.StartsWith("val_", StringComparison.Ordinal))) row[k] = v;
        foreach (var (k, v) in logs.Where(kv => kv.Key is not ("loss" or "lr") && !kv.Key.StartsWith("val_", StringComparison.Ordinal))) row[k] = v;
        // The rate as written (0.001), not its float's double expansion.
        row["lr"] = double.Parse(((float)logs["lr"]).ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        row["steps"] = Steps;
        row["seconds"] = Math.Round(Elapsed.TotalSeconds, 2);
        history.Append(row);
        ui.Info(Line(epoch, row, improved(epoch)));
    }

    public override void SaveState(CallbackState state)
    {
        state.Set("steps", Steps);
        state.Set("seconds", Elapsed.TotalSeconds);
        state.Set("rows", history.SaveState());
    }

    public override void LoadState(CallbackState state)
    {
        Steps = (long)state.GetNumber("steps");
        _before = TimeSpan.FromSeconds(state.GetNumber("seconds"));
        _clock.Restart();
        int rows = history.Restore(state.GetText("rows"));
        ui.Info($"resuming after {roundName} {rows} ({Steps:N0} updates, {_before.TotalSeconds:0} s) from the backup");
    }

    private string Line(int round, IReadOnlyDictionary<string, double> row, bool better)
    {
        var parts = row.Where(kv => kv.Key is not ("epoch" or "steps" or "seconds" or "chars"))
            .Select(kv => $"{kv.Key} {Format(kv.Key, kv.Value)}");
        return $"{roundName} {Of(round)}  {string.Join("  ", parts)}  {row["seconds"].ToString("0", CultureInfo.InvariantCulture)}s{(better ? "  *" : "")}";
    }

    /// <summary>"3/10", or "3" when the number of rounds is open-ended.</summary>
    private string Of(int round) => maxRounds == int.MaxValue ? $"{round + 1}" : $"{round + 1}/{maxRounds}";

    private static string Format(string key, double v) => key switch
    {
        "lr" => v.ToString("0.#####", CultureInfo.InvariantCulture),
        _ => v.ToString("0.0000", CultureInfo.InvariantCulture),
    };
}
