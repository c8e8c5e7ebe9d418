namespace Recur.Training;

/// <summary>
/// Sets the learning rate before every epoch from a schedule of (epoch, initial rate).
/// Ready-made schedules: <see cref="Step"/>, <see cref="Exponential"/>, <see cref="Cosine"/>.
/// </summary>
public sealed class LearningRateScheduler(Func<int, float, float> schedule) : Callback
{
    private float _initial;

    /// <summary>lr = initial · factor^⌊epoch / everyEpochs⌋.</summary>
    public static LearningRateScheduler Step(int everyEpochs, float factor = 0.1f)
    {
        if (everyEpochs <= 0) throw new ArgumentOutOfRangeException(nameof(everyEpochs), everyEpochs, "everyEpochs must be positive.");
        return new((epoch, lr0) => lr0 * MathF.Pow(factor, epoch / everyEpochs));
    }

    /// <summary>lr = initial · rate^epoch.</summary>
    public static LearningRateScheduler Exponential(float rate) => new((epoch, lr0) => lr0 * MathF.Pow(rate, epoch));

    /// <summary>lr = minimum + (initial − minimum)·(1 + cos(π·epoch/epochs))/2, held at the minimum after <paramref name="epochs"/>.</summary>
    public static LearningRateScheduler Cosine(int epochs, float minimum = 0f)
    {
        if (epochs <= 0) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "epochs must be positive.");
        return new((epoch, lr0) => minimum + (lr0 - minimum) * 0.5f * (1f + MathF.Cos(MathF.PI * Math.Min(epoch, epochs) / epochs)));
    }

    /// <inheritdoc/>
    public override void OnTrainBegin() => _initial = Model.Optimizer!.LearningRate;

    /// <inheritdoc/>
    public override void SaveState(CallbackState state) => state.Set("initial", _initial);

    /// <inheritdoc/>
    public override void LoadState(CallbackState state) => _initial = (float)state.GetNumber("initial");

    /// <inheritdoc/>
    public override void OnEpochBegin(int epoch)
    {
        float lr = schedule(epoch, _initial);
        if (!(lr >= 0f) || float.IsInfinity(lr))
            throw new InvalidOperationException($"The learning-rate schedule gave {lr} at epoch {epoch}; expected a finite value ≥ 0.");
        Model.Optimizer!.LearningRate = lr;
    }
}
