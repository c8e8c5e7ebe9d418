using Recur.Models;

namespace Recur.Training;

/// <summary>
/// Hooks into <c>Fit</c>. Override what you need; <see cref="Model"/> is set before
/// <see cref="OnTrainBegin"/>. Set <c>Model.StopTraining</c> to end training after the current epoch
/// (or batch), and change <c>Model.Optimizer.LearningRate</c> to schedule the learning rate.
/// </summary>
/// <remarks>
/// Per epoch: <see cref="OnEpochBegin"/>; per batch <see cref="OnBatchBegin"/>, the update,
/// <see cref="OnBatchEnd"/>; then <see cref="OnEpochTrained"/>, validation, <see cref="OnEpochEvaluated"/> (every callback may add
/// to the logs), the history row, and <see cref="OnEpochEnd"/>. A callback with state that a resumed
/// run needs (counters, best values) writes it in <see cref="SaveState"/> and reads it back in
/// <see cref="LoadState"/>; <see cref="BackupAndRestore"/> keeps it with the weights.
/// </remarks>
public abstract class Callback
{
    /// <summary>The model being trained.</summary>
    public Model Model { get; internal set; } = null!;

    /// <summary>Before the first epoch.</summary>
    public virtual void OnTrainBegin() { }

    /// <summary>After the last epoch (also after an early stop).</summary>
    public virtual void OnTrainEnd() { }

    /// <summary>Before epoch <paramref name="epoch"/> (0-based).</summary>
    public virtual void OnEpochBegin(int epoch) { }

    /// <summary>After epoch <paramref name="epoch"/>, with the epoch's logs (loss, metrics, val_*, lr).</summary>
    public virtual void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs) { }

    /// <summary>After each training batch, with the running mean loss and metrics of the epoch so far.</summary>
    public virtual void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs) { }

    /// <summary>Before each training batch (<paramref name="batch"/> counts from 0 in every epoch).</summary>
    public virtual void OnBatchBegin(int batch) { }

    /// <summary>
    /// After the epoch's last training batch (also when training stops within the epoch), before
    /// its validation: what the model holds from here on is what validation and the epoch's
    /// callbacks see (e.g. <see cref="ExponentialMovingAverage"/> puts its averages in).
    /// </summary>
    public virtual void OnEpochTrained(int epoch) { }

    /// <summary>
    /// After the epoch's training and validation, before the history row is written and before
    /// <see cref="OnEpochEnd"/>: add quantities to <paramref name="logs"/> (or replace them) and they
    /// reach the history and every callback's <see cref="OnEpochEnd"/>.
    /// </summary>
    public virtual void OnEpochEvaluated(int epoch, IDictionary<string, double> logs) { }

    /// <summary>Writes what a resumed run needs to continue exactly as this one would (called after <see cref="OnEpochEnd"/>).</summary>
    public virtual void SaveState(CallbackState state) { }

    /// <summary>Reads what <see cref="SaveState"/> wrote; called after <see cref="OnTrainBegin"/> when a run resumes.</summary>
    public virtual void LoadState(CallbackState state) { }
}

/// <summary>A callback made of delegates, for one-off hooks.</summary>
public sealed class LambdaCallback : Callback
{
    /// <summary>Called after every epoch.</summary>
    public Action<int, IReadOnlyDictionary<string, double>>? EpochEnd { get; init; }

    /// <summary>Called after every batch.</summary>
    public Action<int, IReadOnlyDictionary<string, double>>? BatchEnd { get; init; }

    /// <summary>Called before every epoch.</summary>
    public Action<int>? EpochBegin { get; init; }

    /// <summary>
    /// Called after every epoch's validation, before the history row and the epochs' ends: what it
    /// adds to the logs (a score of the dev data, say) reaches the history and every callback.
    /// </summary>
    public Action<int, IDictionary<string, double>>? EpochEvaluated { get; init; }

    /// <inheritdoc/>
    public override void OnEpochBegin(int epoch) => EpochBegin?.Invoke(epoch);

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs) => EpochEnd?.Invoke(epoch, logs);

    /// <inheritdoc/>
    public override void OnEpochEvaluated(int epoch, IDictionary<string, double> logs) => EpochEvaluated?.Invoke(epoch, logs);

    /// <inheritdoc/>
    public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs) => BatchEnd?.Invoke(batch, logs);
}
