using Recur.Models;

namespace Recur.Training;

/// <summary>
/// Hooks into <c>Fit</c>. Override what you need; <see cref="Model"/> is set before
/// <see cref="OnTrainBegin"/>. Set <c>Model.StopTraining</c> to end training after the current epoch
/// (or batch), and change <c>Model.Optimizer.LearningRate</c> to schedule the learning rate.
/// </summary>
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

    /// <inheritdoc/>
    public override void OnEpochBegin(int epoch) => EpochBegin?.Invoke(epoch);

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs) => EpochEnd?.Invoke(epoch, logs);

    /// <inheritdoc/>
    public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs) => BatchEnd?.Invoke(batch, logs);
}
