using Recur.Layers;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Training;
using static Recur.Tests.Training.CallbackDriving;

namespace Recur.Tests.Training;

/// <summary>
/// The boundaries the mutation run found untested: budgets of exactly zero, a hold of exactly 1,
/// a negative batch budget, the state a budget or a weight average saves and reads back in the
/// middle of a run, and a metric with nothing to average.
/// </summary>
public class CallbackBoundaryTests
{
    [Fact]
    public void A_budget_of_zero_a_hold_of_one_and_a_negative_batch_budget_are_refused()
    {
        var m = Compiled();
        Refused("budget", "budget must be positive.", () => On(new TimeBudget(TimeSpan.Zero), m).OnTrainBegin());
        Refused("budget", "budget must be positive.", () => On(new TimeBudgetDecay(TimeSpan.Zero), m).OnTrainBegin());
        Refused("holdFraction", "holdFraction must be in [0, 1).", () => On(new TimeBudgetDecay(TimeSpan.FromMinutes(1), holdFraction: 1), m).OnTrainBegin());
        Refused("batchBudget", "batchBudget must be 0 (time alone) or positive.", () => On(new TimeBudgetDecay(TimeSpan.FromMinutes(1), batchBudget: -1), m).OnTrainBegin());
    }

    [Fact]
    public void A_time_budget_saved_while_running_resumes_running()
    {
        var m = Compiled();
        var budget = On(new TimeBudget(TimeSpan.FromHours(1)), m);
        budget.OnTrainBegin();
        var state = new CallbackState();
        budget.SaveState(state);
        Assert.Equal(0, state.GetNumber("stopped"));
        var resumed = On(new TimeBudget(TimeSpan.FromHours(1)), m);
        resumed.OnTrainBegin();
        resumed.LoadState(state);
        Assert.False(resumed.Stopped);
    }

    [Fact]
    public void Time_budget_decay_resumes_at_the_batch_it_was_saved_at()
    {
        // A clock that stands still: only the batch budget moves the rate, 1 − batches/10 of lr₀.
        var m = Compiled(0.4f);
        var decay = On(new TimeBudgetDecay(TimeSpan.FromHours(1), finalFactor: 0f, clock: () => TimeSpan.Zero, batchBudget: 10), m);
        decay.OnTrainBegin();
        for (int b = 0; b < 5; b++) decay.OnBatchBegin(b);
        var state = new CallbackState();
        decay.SaveState(state);
        Assert.Equal(5, state.GetNumber("batches"));
        var resumed = On(new TimeBudgetDecay(TimeSpan.FromHours(1), finalFactor: 0f, clock: () => TimeSpan.Zero, batchBudget: 10), m);
        resumed.OnTrainBegin();
        resumed.LoadState(state);
        resumed.OnBatchBegin(0);
        Assert.Equal(0.2f, m.Optimizer!.LearningRate, 6);
    }

    [Fact]
    public void A_weight_average_saved_while_the_raw_weights_train_says_so()
    {
        var m = Compiled();
        var ema = On(new ExponentialMovingAverage(0.5), m);
        ema.OnTrainBegin();
        ema.OnEpochBegin(0);
        ema.OnBatchEnd(0, new Dictionary<string, double>());
        ema.OnEpochTrained(0); // the averages swapped in for validation
        var validating = new CallbackState();
        ema.SaveState(validating);
        Assert.Equal(1, validating.GetNumber("holds_average"));
        ema.OnEpochBegin(1); // the raw weights back for the next epoch's batches
        var training = new CallbackState();
        ema.SaveState(training);
        Assert.Equal(0, training.GetNumber("holds_average"));
    }

    [Fact]
    public void A_saved_weight_average_with_a_bad_count_or_shape_is_refused()
    {
        var m = Compiled();
        var ema = On(new ExponentialMovingAverage(0.5), m);
        ema.OnTrainBegin();
        var state = new CallbackState();
        ema.SaveState(state);
        foreach (double bad in new[] { -1.0, 1.5 })
        {
            state.Set("updates", bad);
            var e = Assert.Throws<ArgumentException>(() => ema.LoadState(state));
            Assert.StartsWith($"the saved update count is {bad}; expected a whole number ≥ 0.", e.Message);
        }
        state.Set("updates", 0);
        state.Set("average.0", Tensor.Zeros(1, 1));
        Assert.Equal("average.0", Assert.Throws<ArgumentException>(() => ema.LoadState(state)).ParamName);
    }

    [Fact]
    public void Time_budget_decay_on_the_real_clock_runs_from_the_start_of_training()
    {
        // A 1 ms budget and at least 20 ms of the real clock: the rate is at its final factor.
        var m = Compiled(0.4f);
        var decay = On(new TimeBudgetDecay(TimeSpan.FromMilliseconds(1), finalFactor: 0.5f), m);
        decay.OnTrainBegin();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.ElapsedMilliseconds < 20) Thread.Sleep(5);
        decay.OnBatchBegin(0);
        Assert.Equal(0.2f, m.Optimizer!.LearningRate, 6);
        Assert.True(decay.Elapsed >= TimeSpan.FromMilliseconds(20), $"the schedule's clock read {decay.Elapsed}");
    }

    [Fact]
    public void Binary_accuracy_of_per_step_outputs_reads_one_value_per_position()
    {
        // (2, 3) probabilities against (2, 3) 0/1 targets: 4 of the 6 positions right.
        var acc = Metric.BinaryAccuracy;
        acc.Update(Tensor.FromArray([0.9f, 0.1f, 0.8f, 0.2f, 0.7f, 0.4f], 2, 3), Tensor.FromArray([1f, 0f, 0f, 0f, 1f, 1f], 2, 3), null);
        Assert.Equal(4.0 / 6, acc.Result(), 12);
    }

    [Fact]
    public void Perplexity_of_nothing_is_not_a_number()
    {
        Assert.True(double.IsNaN(Metric.Perplexity.Result()));
    }
}
