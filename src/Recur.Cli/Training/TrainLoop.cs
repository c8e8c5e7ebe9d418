using System.Diagnostics;
using System.Globalization;
using Recur.Cli.Common;
using Recur.Cli.Output;
using Recur.Models;

namespace Recur.Cli.Training;

/// <summary>One mini-batch: inputs (B, …) and targets (B, …).</summary>
internal sealed record Batch(Tensor X, Tensor Y);

/// <summary>
/// The training loop of <c>recur forecast</c> only (every other command trains through
/// <c>Model.Fit</c> with <see cref="CommandTraining"/>); it goes when forecast trains through Fit.
/// Each epoch runs <see cref="Model.TrainOnBatch"/> over the batches the task hands it,
/// then asks the task for its evaluation (validation loss and metrics), logs a history row, keeps
/// the best weights by <see cref="Monitor"/> (saved to <c>model.recur</c> each time they improve),
/// halves the learning rate after <see cref="DecayPatience"/> rounds without improvement and stops
/// after <see cref="Patience"/>. Ctrl-C (the cancellation token), the step limit and the time
/// budget all stop after the current batch; the partial round is still evaluated and the best
/// weights are restored at the end.
/// </summary>
internal sealed class TrainLoop(Model model, Ui ui, string checkpointPath, HistoryCsv history)
{
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

    /// <summary>Stops after a round whose logs satisfy this (e.g. a task solved), with <see cref="StopWhenReason"/>.</summary>
    public Func<IReadOnlyDictionary<string, double>, bool>? StopWhen { get; init; }

    public string StopWhenReason { get; init; } = "target reached";

    /// <summary>What a round is called in the output ("epoch", "round").</summary>
    public string RoundName { get; init; } = "epoch";

    /// <param name="batches">The batches of round r (0-based), lazily produced.</param>
    /// <param name="stepsInRound">How many batches round r has (for progress), or null.</param>
    /// <param name="evaluate">The round's evaluation: val_* quantities and any train metric.</param>
    public LoopResult Run(Func<int, IEnumerable<Batch>> batches, Func<int, int?> stepsInRound,
        Func<IReadOnlyDictionary<string, double>> evaluate, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        double best = Maximize ? double.NegativeInfinity : double.PositiveInfinity;
        float[][]? bestWeights = null;
        int bestRound = -1, sinceBest = 0, round = 0;
        long steps = 0;
        string reason = "completed";
        bool stop = false;
        for (; round < MaxRounds && !stop; round++)
        {
            double lossSum = 0;
            long count = 0;
            int inRound = 0;
            int? total = stepsInRound(round);
            var progressClock = Stopwatch.StartNew();
            foreach (var batch in batches(round))
            {
                double loss = model.TrainOnBatch(batch.X, batch.Y);
                int b = batch.X.Size(0);
                lossSum += loss * b;
                count += b;
                inRound++;
                steps++;
                if (progressClock.ElapsedMilliseconds >= 200)
                {
                    progressClock.Restart();
                    ui.Progress($"{RoundName} {Of(round)}  step {inRound}{(total is { } t ? "/" + t : "")}  loss {lossSum / count:0.0000}  {clock.Elapsed.TotalSeconds:0}s");
                }
                if (cancellation.IsCancellationRequested) { reason = "interrupted (Ctrl-C)"; stop = true; }
                else if (MaxSteps is { } ms && steps >= ms) { reason = $"step limit ({ms})"; stop = true; }
                else if (Budget is { } bt && clock.Elapsed >= bt) { reason = $"time budget ({bt.TotalMinutes:0.##} min)"; stop = true; }
                if (stop) break;
            }
            ui.EndProgress();
            if (count == 0) break;

            var logs = new Dictionary<string, double> { ["epoch"] = round + 1, ["loss"] = lossSum / count };
            foreach (var (k, v) in evaluate()) logs[k] = v;
            logs["lr"] = double.Parse(model.Optimizer!.LearningRate.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            logs["steps"] = steps;
            logs["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 2);
            history.Append(logs);

            double value = logs.TryGetValue(Monitor, out var m) ? m : throw new InvalidOperationException($"The evaluation did not log '{Monitor}'.");
            bool improved = Maximize ? value > best : value < best;
            if (improved)
            {
                best = value;
                bestRound = round;
                sinceBest = 0;
                bestWeights = model.Parameters.Select(p => p.Value.ToArray()).ToArray();
                model.Save(checkpointPath, includeOptimizer: false);
            }
            else
            {
                sinceBest++;
                if (sinceBest % DecayPatience == 0) model.Optimizer.LearningRate *= DecayFactor;
                if (sinceBest >= Patience) { reason = $"early stop ({Monitor} did not improve for {Patience} {RoundName}s)"; stop = true; }
            }
            if (!stop && StopWhen?.Invoke(logs) == true) { reason = StopWhenReason; stop = true; }
            ui.Info(Line(round, logs, improved));
        }
        if (bestWeights is not null)
        {
            var parameters = model.Parameters;
            for (int i = 0; i < parameters.Count; i++) bestWeights[i].CopyTo(parameters[i].Value.Span);
        }
        else
        {
            model.Save(checkpointPath, includeOptimizer: false);
        }
        int rounds = history.Rows.Count;
        return new LoopResult(rounds, bestRound + 1, steps, clock.Elapsed.TotalSeconds, cancellation.IsCancellationRequested, reason);
    }

    private string Line(int round, IReadOnlyDictionary<string, double> logs, bool improved)
    {
        var parts = logs.Where(kv => kv.Key is not ("epoch" or "steps" or "seconds" or "chars"))
            .Select(kv => $"{kv.Key} {Format(kv.Key, kv.Value)}");
        return $"{RoundName} {Of(round)}  {string.Join("  ", parts)}  {logs["seconds"].ToString("0", CultureInfo.InvariantCulture)}s{(improved ? "  *" : "")}";
    }

    /// <summary>"3/10", or "3" when the number of rounds is open-ended.</summary>
    private string Of(int round) => MaxRounds == int.MaxValue ? $"{round + 1}" : $"{round + 1}/{MaxRounds}";

    private static string Format(string key, double v) => key switch
    {
        "lr" => v.ToString("0.#####", CultureInfo.InvariantCulture),
        "chars" => v.ToString("N0", CultureInfo.InvariantCulture), // a count
        _ => v.ToString("0.0000", CultureInfo.InvariantCulture),
    };
}
