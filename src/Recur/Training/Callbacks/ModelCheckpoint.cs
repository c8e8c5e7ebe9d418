namespace Recur.Training;

/// <summary>
/// Saves the model to <paramref name="path"/> after every epoch, or only when
/// <paramref name="monitor"/> improves (<paramref name="saveBestOnly"/>). The path may contain
/// <c>{epoch}</c> (1-based). Saves are atomic, so an interrupted save keeps the previous file.
/// </summary>
public sealed class ModelCheckpoint(string path, string monitor = "val_loss", bool saveBestOnly = false,
    MonitorMode mode = MonitorMode.Auto, bool includeOptimizer = true) : Callback
{
    private Monitor _monitor = new(monitor, mode, 0);

    /// <summary>The file written last, or null.</summary>
    public string? LastSaved { get; private set; }

    /// <inheritdoc/>
    public override void OnTrainBegin() => _monitor = new Monitor(monitor, mode, 0);

    /// <inheritdoc/>
    public override void SaveState(CallbackState state)
    {
        state.Set("best", _monitor.Best);
        if (LastSaved is not null) state.Set("last_saved", LastSaved);
    }

    /// <inheritdoc/>
    public override void LoadState(CallbackState state)
    {
        _monitor.Best = state.GetNumber("best");
        LastSaved = state.Contains("last_saved") ? state.GetText("last_saved") : null;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
    {
        if (saveBestOnly && !_monitor.Improved(_monitor.Read(logs, nameof(ModelCheckpoint)))) return;
        string file = path.Replace("{epoch}", (epoch + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Model.Save(file, includeOptimizer);
        LastSaved = file;
    }
}
