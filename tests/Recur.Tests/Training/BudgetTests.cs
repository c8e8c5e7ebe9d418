using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Training;

namespace Recur.Tests.Training;

public class BudgetTests
{
    private static Sequential Model()
    {
        var m = new Sequential(2, new SimpleRnn(3), new Dense(1)) { Output = TextWriter.Null };
        m.Compile(new Sgd(0.1f), Loss.BinaryCrossEntropy(fromLogits: true));
        return m;
    }

    [Fact]
    public void A_step_budget_stops_after_that_many_batches_and_still_logs_the_partial_epoch()
    {
        var (x, y) = Models.ToyData.SignOfSum(24, 3, seed: 1);
        var m = Model();
        int batches = 0;
        var budget = new StepBudget(5);
        var h = m.Fit(x, y, epochs: 10, batchSize: 8, callbacks: [budget, new LambdaCallback { BatchEnd = (_, _) => batches++ }], verbose: Verbosity.Silent);
        Assert.Equal(5, batches);             // 3 batches per epoch: 3 + 2
        Assert.Equal(2, h.Epochs);
        Assert.True(budget.Stopped);
        Assert.Equal(5, m.Optimizer!.Iterations);
    }

    [Fact]
    public void A_time_budget_stops_after_the_batch_during_which_it_ran_out()
    {
        var (x, y) = Models.ToyData.SignOfSum(24, 3, seed: 1);
        var m = Model();
        var budget = new TimeBudget(TimeSpan.FromTicks(1));
        var h = m.Fit(x, y, epochs: 10, batchSize: 8, callbacks: [budget], verbose: Verbosity.Silent);
        Assert.True(budget.Stopped);
        Assert.Equal(1, m.Optimizer!.Iterations); // one batch always runs
        Assert.Equal(1, h.Epochs);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Fit(x, y, callbacks: [new TimeBudget(TimeSpan.Zero)], verbose: Verbosity.Silent));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Fit(x, y, callbacks: [new StepBudget(0)], verbose: Verbosity.Silent));
    }

    [Fact]
    public void Cancellation_fired_after_batch_k_stops_after_batch_k()
    {
        var (x, y) = Models.ToyData.SignOfSum(40, 3, seed: 1);
        var m = Model();
        using var cancel = new CancellationTokenSource();
        var fire = new LambdaCallback { BatchEnd = (b, _) => { if (b == 2) cancel.Cancel(); } };
        var h = m.Fit(x, y, epochs: 3, batchSize: 4, callbacks: [fire], verbose: Verbosity.Silent, cancellationToken: cancel.Token);
        Assert.Equal(3, m.Optimizer!.Iterations);
        Assert.Equal(1, h.Epochs);
    }
}

public class TimeBudgetDecayTests
{
    [Fact]
    public void The_rate_holds_then_falls_linearly_to_the_final_factor_at_the_end_of_the_budget()
    {
        var decay = new TimeBudgetDecay(TimeSpan.FromMinutes(10), finalFactor: 0.1f, holdFraction: 0.2);
        Assert.Equal(1.0, decay.FactorAt(TimeSpan.Zero), 6);
        Assert.Equal(1.0, decay.FactorAt(TimeSpan.FromMinutes(2)), 6);
        Assert.Equal(0.1 + 0.9 * 0.5, decay.FactorAt(TimeSpan.FromMinutes(6)), 6); // half of the 8 decaying minutes
        Assert.Equal(0.1, decay.FactorAt(TimeSpan.FromMinutes(10)), 6);
        Assert.Equal(0.1, decay.FactorAt(TimeSpan.FromMinutes(30)), 6);
    }

    [Fact]
    public void Each_batch_trains_at_the_rate_of_the_time_it_starts()
    {
        // A clock that advances one minute per batch over a 4-minute budget: factors 1, 0.75, 0.5, 0.25, 0, 0.
        var (x, y) = Models.ToyData.SignOfSum(24, 3, seed: 1);
        var m = new Sequential(2, new SimpleRnn(3), new Dense(1)) { Output = TextWriter.Null };
        m.Compile(new Sgd(0.4f), Loss.BinaryCrossEntropy(fromLogits: true));
        int minutes = 0;
        var rates = new List<float>();
        var decay = new TimeBudgetDecay(TimeSpan.FromMinutes(4), finalFactor: 0f, clock: () => TimeSpan.FromMinutes(minutes));
        var record = new LambdaCallback { BatchEnd = (_, _) => { rates.Add(m.Optimizer!.LearningRate); minutes++; } };
        m.Fit(x, y, epochs: 2, batchSize: 8, callbacks: [decay, record], verbose: Verbosity.Silent);
        Assert.Equal(new[] { 0.4f, 0.3f, 0.2f, 0.1f, 0f, 0f }, rates.Select(r => MathF.Round(r, 6)));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Fit(x, y, callbacks: [new TimeBudgetDecay(TimeSpan.Zero)], verbose: Verbosity.Silent));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Fit(x, y, callbacks: [new TimeBudgetDecay(TimeSpan.FromMinutes(1), finalFactor: 2f)], verbose: Verbosity.Silent));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Fit(x, y, callbacks: [new TimeBudgetDecay(TimeSpan.FromMinutes(1), holdFraction: 1)], verbose: Verbosity.Silent));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Fit(x, y, callbacks: [new TimeBudgetDecay(TimeSpan.FromMinutes(1), batchBudget: -1)], verbose: Verbosity.Silent));
    }

    [Fact]
    public void With_a_batch_budget_the_decay_ends_with_the_batches_when_they_run_out_before_the_time()
    {
        // 2 epochs of 3 batches = a budget of 6 batches; the clock stands still, so only the batches move the rate.
        var (x, y) = Models.ToyData.SignOfSum(24, 3, seed: 1);
        var m = new Sequential(2, new SimpleRnn(3), new Dense(1)) { Output = TextWriter.Null };
        m.Compile(new Sgd(0.6f), Loss.BinaryCrossEntropy(fromLogits: true));
        var rates = new List<float>();
        var decay = new TimeBudgetDecay(TimeSpan.FromHours(1), finalFactor: 0f, clock: () => TimeSpan.Zero, batchBudget: 6);
        var record = new LambdaCallback { BatchEnd = (_, _) => rates.Add(m.Optimizer!.LearningRate) };
        m.Fit(x, y, epochs: 2, batchSize: 8, callbacks: [decay, record], verbose: Verbosity.Silent);
        Assert.Equal(new[] { 0.6f, 0.5f, 0.4f, 0.3f, 0.2f, 0.1f }, rates.Select(r => MathF.Round(r, 6)));
        var state = new CallbackState();
        decay.SaveState(state);
        Assert.Equal(6, state.GetNumber("batches")); // a resumed run continues the decay where this one stopped
        // The time still counts: half the time used is further on than 1 batch of 6.
        Assert.Equal(0.5, decay.FactorAt(TimeSpan.FromMinutes(30), 1), 6);
        Assert.Equal(1 - 4 / 6.0, decay.FactorAt(TimeSpan.FromMinutes(30), 4), 6);
    }
}
