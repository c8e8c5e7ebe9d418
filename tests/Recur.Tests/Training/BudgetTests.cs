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
