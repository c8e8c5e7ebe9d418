using System.Diagnostics;

namespace Recur.Training;

/// <summary>
/// Decays the learning rate linearly over a training-time budget: before every batch,
/// lr = lr₀ · (f + (1 − f) · (1 − p)) with p the share of the budget used after the first
/// <paramref name="holdFraction"/> of it (lr₀ until then), and f = <paramref name="finalFactor"/>
/// once the budget is used up. A schedule that ends when the time does, however many epochs that is
/// (Li et al. 2020, "Budgeted training": a rate decayed linearly to about zero over the budget).
/// With a <paramref name="batchBudget"/> too, the budget is used up by whichever runs out first,
/// the time or the batches: a run capped by its epochs on a fast machine still ends its decay.
/// </summary>
/// <param name="budget">The training time the schedule spans (stop training there with <see cref="TimeBudget"/>).</param>
/// <param name="finalFactor">The rate at the end of the budget, as a fraction of lr₀, in [0, 1].</param>
/// <param name="holdFraction">The share of the budget trained at lr₀ before the decay starts, in [0, 1).</param>
/// <param name="clock">The training time so far (default: a stopwatch started with training).</param>
/// <param name="batchBudget">The most training batches the run will take (epochs × batches per epoch), or 0 for the time alone.</param>
/// <remarks>
/// p = clamp((used − hold) / (1 − hold), 0, 1) with used = max(elapsed / budget, batches / batchBudget).
/// lr₀ is the optimizer's rate when training begins. Where in the schedule a batch falls depends on
/// the machine's speed unless the batches run out first.
/// </remarks>
public sealed class TimeBudgetDecay(TimeSpan budget, float finalFactor = 0.02f, double holdFraction = 0, Func<TimeSpan>? clock = null, long batchBudget = 0) : Callback
{
    private readonly Stopwatch _stopwatch = new();
    private float _initial;
    private TimeSpan _before;
    private long _batches;

    /// <summary>The training time so far, as the schedule reads it.</summary>
    public TimeSpan Elapsed => clock?.Invoke() ?? _before + _stopwatch.Elapsed;

    /// <summary>The rate's factor at <paramref name="elapsed"/> of training: 1 during the hold, then linear down to the final factor.</summary>
    public double FactorAt(TimeSpan elapsed) => FactorAt(elapsed, 0);

    /// <summary>The rate's factor after <paramref name="elapsed"/> of training and <paramref name="batches"/> batches: the time's or the batches' share of the budget, whichever is further on.</summary>
    public double FactorAt(TimeSpan elapsed, long batches)
    {
        double used = Math.Max(elapsed / budget, batchBudget > 0 ? (double)batches / batchBudget : 0);
        double p = Math.Clamp((used - holdFraction) / (1 - holdFraction), 0, 1);
        return finalFactor + (1 - finalFactor) * (1 - p);
    }

    /// <inheritdoc/>
    public override void OnTrainBegin()
    {
        if (!(budget > TimeSpan.Zero)) throw new ArgumentOutOfRangeException(nameof(budget), budget, "budget must be positive.");
        if (!(finalFactor >= 0f && finalFactor <= 1f)) throw new ArgumentOutOfRangeException(nameof(finalFactor), finalFactor, "finalFactor must be in [0, 1].");
        if (!(holdFraction >= 0 && holdFraction < 1)) throw new ArgumentOutOfRangeException(nameof(holdFraction), holdFraction, "holdFraction must be in [0, 1).");
        if (batchBudget < 0) throw new ArgumentOutOfRangeException(nameof(batchBudget), batchBudget, "batchBudget must be 0 (time alone) or positive.");
        _initial = Model.Optimizer!.LearningRate;
        _before = TimeSpan.Zero;
        _batches = 0;
        _stopwatch.Restart();
    }

    /// <inheritdoc/>
    public override void OnBatchBegin(int batch) => Model.Optimizer!.LearningRate = (float)(_initial * FactorAt(Elapsed, _batches++));

    /// <inheritdoc/>
    public override void OnTrainEnd() => _stopwatch.Stop();

    /// <inheritdoc/>
    public override void SaveState(CallbackState state)
    {
        state.Set("initial", _initial);
        state.Set("elapsed_seconds", Elapsed.TotalSeconds);
        state.Set("batches", _batches);
    }

    /// <inheritdoc/>
    public override void LoadState(CallbackState state)
    {
        _initial = (float)state.GetNumber("initial");
        _before = TimeSpan.FromSeconds(state.GetNumber("elapsed_seconds"));
        _batches = state.Contains("batches") ? (long)state.GetNumber("batches") : 0; // a backup written before the batch budget existed
        _stopwatch.Restart();
    }
}
