namespace Recur.Training;

/// <summary>
/// Multiplies the learning rate by <paramref name="factor"/> when <paramref name="monitor"/> has
/// not improved for <paramref name="patience"/> epochs, waiting <paramref name="cooldown"/>
/// epochs after each reduction and never going below <paramref name="minLearningRate"/>.
/// </summary>
public sealed class ReduceLROnPlateau(string monitor = "val_loss", float factor = 0.1f, int patience = 10,
    double minDelta = 1e-4, int cooldown = 0, float minLearningRate = 0f, MonitorMode mode = MonitorMode.Auto) : Callback
{
    private Monitor _monitor = new(monitor, mode, minDelta);
    private int _wait, _cooldownLeft;

    /// <inheritdoc/>
    public override void OnTrainBegin()
    {
        if (!(factor > 0f && factor < 1f)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "factor must be in (0, 1).");
        _monitor = new Monitor(monitor, mode, minDelta);
        _wait = _cooldownLeft = 0;
    }

    /// <inheritdoc/>
    public override void SaveState(CallbackState state)
    {
        state.Set("best", _monitor.Best);
        state.Set("wait", _wait);
        state.Set("cooldown_left", _cooldownLeft);
    }

    /// <inheritdoc/>
    public override void LoadState(CallbackState state)
    {
        _monitor.Best = state.GetNumber("best");
        _wait = (int)state.GetNumber("wait");
        _cooldownLeft = (int)state.GetNumber("cooldown_left");
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
    {
        double value = _monitor.Read(logs, nameof(ReduceLROnPlateau));
        if (_cooldownLeft > 0) _cooldownLeft--;
        if (_monitor.Improved(value))
        {
            _wait = 0;
            return;
        }
        if (_cooldownLeft > 0) return;
        if (++_wait >= patience)
        {
            var optimizer = Model.Optimizer!;
            optimizer.LearningRate = MathF.Max(optimizer.LearningRate * factor, minLearningRate);
            _cooldownLeft = cooldown;
            _wait = 0;
        }
    }
}
