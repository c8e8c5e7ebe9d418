using Recur.Layers;

namespace Recur.Training;

/// <summary>
/// Stops training when <paramref name="monitor"/> has not improved by more than
/// <paramref name="minDelta"/> for <paramref name="patience"/> epochs; optionally restores the
/// weights of the best epoch at the end.
/// </summary>
public sealed class EarlyStopping(string monitor = "val_loss", int patience = 0, double minDelta = 0,
    MonitorMode mode = MonitorMode.Auto, bool restoreBestWeights = false) : Callback
{
    private Monitor _monitor = new(monitor, mode, minDelta);
    private int _wait;
    private float[][]? _bestWeights;

    /// <summary>The epoch (0-based) at which training was stopped, or −1.</summary>
    public int StoppedEpoch { get; private set; } = -1;

    /// <summary>The epoch (0-based) with the best monitored value.</summary>
    public int BestEpoch { get; private set; } = -1;

    /// <inheritdoc/>
    public override void OnTrainBegin()
    {
        if (patience < 0) throw new ArgumentOutOfRangeException(nameof(patience), patience, "patience must be ≥ 0.");
        _monitor = new Monitor(monitor, mode, minDelta);
        _wait = 0;
        _bestWeights = null;
        StoppedEpoch = BestEpoch = -1;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
    {
        double value = _monitor.Read(logs, nameof(EarlyStopping));
        if (_monitor.Improved(value))
        {
            _wait = 0;
            BestEpoch = epoch;
            if (restoreBestWeights) KeepBestWeights();
            return;
        }
        if (++_wait >= patience)
        {
            StoppedEpoch = epoch;
            Model.StopTraining = true;
        }
    }

    /// <summary>Copies the weights into the snapshot, reusing its arrays after the first time (no new large arrays per improvement).</summary>
    private void KeepBestWeights()
    {
        var parameters = Model.Parameters;
        if (_bestWeights is null || _bestWeights.Length != parameters.Count || _bestWeights.Where((w, i) => w.Length != parameters[i].Value.Length).Any())
            _bestWeights = parameters.Select(p => new float[p.Value.Length]).ToArray();
        for (int i = 0; i < parameters.Count; i++) parameters[i].Value.Span.CopyTo(_bestWeights[i]);
    }

    /// <inheritdoc/>
    public override void SaveState(CallbackState state)
    {
        state.Set("best", _monitor.Best);
        state.Set("wait", _wait);
        state.Set("best_epoch", BestEpoch);
        state.Set("stopped_epoch", StoppedEpoch);
        if (_bestWeights is null) return;
        var parameters = Model.Parameters;
        for (int i = 0; i < _bestWeights.Length; i++) state.SetView($"best_weights.{i}", new Tensor(_bestWeights[i], parameters[i].Value.ShapeArray)); // saved at once
    }

    /// <inheritdoc/>
    public override void LoadState(CallbackState state)
    {
        _monitor.Best = state.GetNumber("best");
        _wait = (int)state.GetNumber("wait");
        BestEpoch = (int)state.GetNumber("best_epoch");
        StoppedEpoch = (int)state.GetNumber("stopped_epoch");
        _bestWeights = state.Contains("best_weights.0") ? Model.Parameters.Select((p, i) => Restored(state, i, p)).ToArray() : null;
    }

    private static float[] Restored(CallbackState state, int index, Parameter p)
    {
        var t = state.GetTensor($"best_weights.{index}");
        Tensor.RequireShape(t, p.Value.Shape, $"best_weights.{index}");
        return t.ToArray();
    }

    /// <inheritdoc/>
    public override void OnTrainEnd()
    {
        if (!restoreBestWeights || _bestWeights is null) return;
        var parameters = Model.Parameters;
        for (int i = 0; i < parameters.Count; i++) _bestWeights[i].CopyTo(parameters[i].Value.Span);
    }
}
