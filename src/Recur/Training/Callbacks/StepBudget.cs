namespace Recur.Training;

/// <summary>
/// Stops training after <paramref name="maxSteps"/> training batches (updates), counted over the
/// whole run, including the part before a resume. The epoch in progress is still evaluated and logged.
/// </summary>
public sealed class StepBudget(long maxSteps) : Callback
{
    /// <summary>Training batches done so far.</summary>
    public long Steps { get; private set; }

    /// <summary>True once the budget stopped training.</summary>
    public bool Stopped => Steps >= maxSteps;

    /// <summary>The budget.</summary>
    public long MaxSteps => maxSteps;

    /// <inheritdoc/>
    public override void OnTrainBegin()
    {
        if (maxSteps < 1) throw new ArgumentOutOfRangeException(nameof(maxSteps), maxSteps, "maxSteps must be at least 1.");
        Steps = 0;
    }

    /// <inheritdoc/>
    public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs)
    {
        if (++Steps >= maxSteps) Model.StopTraining = true;
    }

    /// <inheritdoc/>
    public override void SaveState(CallbackState state) => state.Set("steps", Steps);

    /// <inheritdoc/>
    public override void LoadState(CallbackState state) => Steps = (long)state.GetNumber("steps");
}
