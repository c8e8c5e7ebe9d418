using System.Diagnostics;

namespace Recur.Training;

/// <summary>
/// Stops training after the batch during which <paramref name="budget"/> of training time has
/// passed, counted over the whole run (a resumed run continues the clock of the interrupted one).
/// The epoch in progress is still evaluated and logged. Where the run stops depends on the
/// machine's speed, so a time budget makes a run repeat exactly only if it ends for another reason.
/// </summary>
public sealed class TimeBudget(TimeSpan budget) : Callback
{
    private readonly Stopwatch _clock = new();
    private TimeSpan _before;

    /// <summary>Training time so far, including the part before a resume.</summary>
    public TimeSpan Elapsed => _before + _clock.Elapsed;

    /// <summary>True once the budget stopped training.</summary>
    public bool Stopped { get; private set; }

    /// <summary>The budget.</summary>
    public TimeSpan Budget => budget;

    /// <inheritdoc/>
    public override void OnTrainBegin()
    {
        if (!(budget > TimeSpan.Zero)) throw new ArgumentOutOfRangeException(nameof(budget), budget, "budget must be positive.");
        _before = TimeSpan.Zero;
        Stopped = false;
        _clock.Restart();
    }

    /// <inheritdoc/>
    public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs)
    {
        if (Elapsed < budget) return;
        Stopped = true;
        Model.StopTraining = true;
    }

    /// <inheritdoc/>
    public override void OnTrainEnd() => _clock.Stop();

    /// <inheritdoc/>
    public override void SaveState(CallbackState state)
    {
        state.Set("elapsed_seconds", Elapsed.TotalSeconds);
        state.Set("stopped", Stopped ? 1 : 0);
    }

    /// <inheritdoc/>
    public override void LoadState(CallbackState state)
    {
        _before = TimeSpan.FromSeconds(state.GetNumber("elapsed_seconds"));
        Stopped = state.GetNumber("stopped") != 0;
        _clock.Restart();
    }
}
