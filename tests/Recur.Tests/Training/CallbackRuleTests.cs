using Recur.Layers;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Training;
using static Recur.Tests.Training.CallbackDriving;

namespace Recur.Tests.Training;

/// <summary>
/// Each callback driven by hand, epoch by epoch, on values chosen to sit on its boundaries:
/// patience reached exactly, a cooldown, a floor, refused arguments, and the state a resume reads.
/// </summary>
public class CallbackRuleTests
{
    private static Dictionary<string, double> Logs(double loss) => new() { ["loss"] = loss };

    [Fact]
    public void Early_stopping_waits_patience_epochs_without_an_improvement_by_more_than_min_delta()
    {
        var m = Compiled();
        var stop = On(new EarlyStopping("loss", patience: 2, minDelta: 0.25), m);
        stop.OnTrainBegin();
        double[] losses = { 1, 0.8, 0.5, 0.4, 0.45 }; // improvements at epochs 0 and 2 only
        for (int e = 0; e < losses.Length; e++)
        {
            Assert.False(m.StopTraining, $"stopped before epoch {e}");
            stop.OnEpochEnd(e, Logs(losses[e]));
        }
        Assert.True(m.StopTraining);
        Assert.Equal(2, stop.BestEpoch);
        Assert.Equal(4, stop.StoppedEpoch);
        stop.OnTrainBegin(); // a new run starts over
        Assert.Equal(-1, stop.BestEpoch);
        Assert.Equal(-1, stop.StoppedEpoch);
        stop.OnEpochEnd(0, Logs(5));
        Assert.Equal(0, stop.BestEpoch);

        var zero = On(new EarlyStopping("loss", patience: 0), Compiled());
        zero.OnTrainBegin();
        zero.OnEpochEnd(0, Logs(1));
        Assert.False(zero.Model.StopTraining);
        zero.OnEpochEnd(1, Logs(1));
        Assert.True(zero.Model.StopTraining);
        Assert.Equal(1, zero.StoppedEpoch);
        var noWeights = new CallbackState();
        zero.SaveState(noWeights); // without restoreBestWeights there is no snapshot to save
        Assert.False(noWeights.Contains("best_weights.0"));

        Refused("patience", "patience must be ≥ 0.", () => On(new EarlyStopping(patience: -1), m).OnTrainBegin());
    }

    [Fact]
    public void Early_stopping_resumes_from_its_saved_state()
    {
        var m = Compiled();
        var first = On(new EarlyStopping("loss", patience: 2, restoreBestWeights: true), m);
        first.OnTrainBegin();
        first.OnEpochEnd(0, Logs(1));
        var best = m.Parameters.Select(p => p.Value.ToArray()).ToArray();
        foreach (var p in m.Parameters) p.Value.Span.Fill(7f);
        first.OnEpochEnd(1, Logs(2));
        var state = new CallbackState();
        first.SaveState(state);
        Assert.Equal(1, state.GetNumber("best"));
        Assert.Equal(1, state.GetNumber("wait"));
        Assert.Equal(0, state.GetNumber("best_epoch"));
        Assert.Equal(-1, state.GetNumber("stopped_epoch"));
        Assert.Equal(best[0], state.GetTensor("best_weights.0").ToArray());

        var resumed = On(new EarlyStopping("loss", patience: 2, restoreBestWeights: true), m);
        resumed.OnTrainBegin();
        resumed.LoadState(state);
        Assert.Equal(0, resumed.BestEpoch);
        resumed.OnEpochEnd(2, Logs(1)); // not better than the restored best: the second epoch of waiting
        Assert.True(m.StopTraining);
        Assert.Equal(2, resumed.StoppedEpoch);
        resumed.OnTrainEnd();
        Assert.Equal(best, m.Parameters.Select(p => p.Value.ToArray()).ToArray());
        resumed.OnTrainBegin(); // a new run has no best weights to restore yet
        foreach (var p in m.Parameters) p.Value.Span.Fill(3f);
        resumed.OnTrainEnd();
        Assert.All(m.Parameters.SelectMany(p => p.Value.ToArray()), v => Assert.Equal(3f, v));

        var wrong = new CallbackState();
        first.SaveState(wrong);
        wrong.Set("best_weights.0", Tensor.Zeros(1));
        var e = Assert.Throws<ArgumentException>(() => On(new EarlyStopping("loss", restoreBestWeights: true), m).LoadState(wrong));
        Assert.Contains("best_weights.0 has shape (1,)", e.Message);
    }

    [Fact]
    public void Reduce_lr_on_plateau_waits_out_its_cooldown_and_stops_at_the_floor()
    {
        var m = Compiled(0.1f);
        var reduce = On(new ReduceLROnPlateau("loss", factor: 0.5f, patience: 1, minDelta: 0, cooldown: 2, minLearningRate: 0.03f), m);
        reduce.OnTrainBegin();
        var rates = new List<float>();
        double[] losses = { 1, 1, 1, 1, 1, 0.5, 0.5 };
        CallbackState? saved = null;
        for (int e = 0; e < losses.Length; e++)
        {
            if (e == 3)
            {
                // A resume in the middle of the cooldown continues it.
                saved = new CallbackState();
                reduce.SaveState(saved);
                reduce = On(new ReduceLROnPlateau("loss", factor: 0.5f, patience: 1, minDelta: 0, cooldown: 2, minLearningRate: 0.03f), m);
                reduce.OnTrainBegin();
                reduce.LoadState(saved);
            }
            reduce.OnEpochEnd(e, Logs(losses[e]));
            rates.Add(m.Optimizer!.LearningRate);
        }
        // 0: best. 1: no gain, patience 1 reached: × 0.5, cooldown 2. 2: cooldown. 3: cooldown ends, no gain:
        // 0.025 floored at 0.03. 4: cooldown. 5: an improvement. 6: cooldown over, no gain: already at the floor.
        Assert.Equal(new[] { 0.1f, 0.05f, 0.05f, 0.03f, 0.03f, 0.03f, 0.03f }, rates);
        Assert.Equal(1, saved!.GetNumber("best"));
        Assert.Equal(0, saved.GetNumber("wait"));
        Assert.Equal(1, saved.GetNumber("cooldown_left"));

        foreach (float factor in new[] { 1f, 0f, -0.5f, float.NaN })
            Refused("factor", "factor must be in (0, 1).", () => On(new ReduceLROnPlateau(factor: factor), m).OnTrainBegin());
    }

    [Fact]
    public void Reduce_lr_on_plateau_counts_patience_from_the_last_improvement()
    {
        var m = Compiled(0.1f);
        var reduce = On(new ReduceLROnPlateau("loss", factor: 0.5f, patience: 2, minDelta: 0), m);
        reduce.OnTrainBegin();
        foreach (double loss in new[] { 1.0, 1.0, 0.5, 0.5 }) reduce.OnEpochEnd(0, Logs(loss));
        Assert.Equal(0.1f, m.Optimizer!.LearningRate); // one epoch without gain since 0.5
        reduce.OnEpochEnd(0, Logs(0.5));
        Assert.Equal(0.05f, m.Optimizer.LearningRate);
    }

    [Fact]
    public void Schedules_refuse_bad_arguments_and_bad_rates_and_resume_from_the_saved_initial_rate()
    {
        Refused("everyEpochs", "everyEpochs must be positive.", () => LearningRateScheduler.Step(0));
        Refused("epochs", "epochs must be positive.", () => LearningRateScheduler.Cosine(0));
        LearningRateScheduler.Step(1);
        LearningRateScheduler.Cosine(1);

        var m = Compiled(0.1f);
        foreach (float bad in new[] { float.NaN, -1f, float.PositiveInfinity })
        {
            var s = On(new LearningRateScheduler((_, _) => bad), m);
            s.OnTrainBegin();
            var e = Assert.Throws<InvalidOperationException>(() => s.OnEpochBegin(3));
            Assert.Equal($"The learning-rate schedule gave {bad} at epoch 3; expected a finite value ≥ 0.", e.Message);
        }
        Assert.Equal(0.1f, m.Optimizer!.LearningRate);
        var zero = On(new LearningRateScheduler((_, _) => 0f), m);
        zero.OnTrainBegin();
        zero.OnEpochBegin(0);
        Assert.Equal(0f, m.Optimizer.LearningRate);

        m.Optimizer.LearningRate = 0.4f;
        var first = On(LearningRateScheduler.Exponential(0.5f), m);
        first.OnTrainBegin();
        first.OnEpochBegin(1); // 0.2
        var state = new CallbackState();
        first.SaveState(state);
        Assert.Equal(0.4f, (float)state.GetNumber("initial"));
        var resumed = On(LearningRateScheduler.Exponential(0.5f), m);
        resumed.OnTrainBegin(); // sees 0.2: the saved initial rate must replace it
        resumed.LoadState(state);
        resumed.OnEpochBegin(2);
        Assert.Equal(0.1f, m.Optimizer.LearningRate);
    }

    [Fact]
    public void Terminate_on_nan_stops_on_a_non_finite_loss_only()
    {
        var m = Compiled();
        var t = On(new TerminateOnNaN(), m);
        t.OnBatchEnd(0, Logs(1e30));
        t.OnBatchEnd(1, new Dictionary<string, double> { ["accuracy"] = double.NaN });
        Assert.False(m.StopTraining);
        Assert.Equal(-1, t.StoppedAtBatch);
        t.OnBatchEnd(2, Logs(double.PositiveInfinity));
        Assert.True(m.StopTraining);
        Assert.Equal(2, t.StoppedAtBatch);
        m.StopTraining = false;
        t.OnBatchEnd(5, Logs(double.NaN));
        Assert.True(m.StopTraining);
        Assert.Equal(5, t.StoppedAtBatch);
    }

    [Fact]
    public void Step_budget_counts_across_a_resume()
    {
        var m = Compiled();
        var budget = On(new StepBudget(3), m);
        budget.OnTrainBegin();
        budget.OnBatchEnd(0, Logs(1));
        budget.OnBatchEnd(1, Logs(1));
        Assert.False(budget.Stopped);
        Assert.False(m.StopTraining);
        var state = new CallbackState();
        budget.SaveState(state);
        Assert.Equal(2, state.GetNumber("steps"));
        var resumed = On(new StepBudget(3), m);
        resumed.OnTrainBegin();
        resumed.LoadState(state);
        Assert.Equal(2, resumed.Steps);
        resumed.OnBatchEnd(0, Logs(1));
        Assert.True(resumed.Stopped);
        Assert.True(m.StopTraining);
        Assert.Equal(3, resumed.MaxSteps);
        resumed.OnTrainBegin(); // a new run counts from 0
        Assert.Equal(0, resumed.Steps);
        Assert.False(resumed.Stopped);

        var one = On(new StepBudget(1), Compiled());
        one.OnTrainBegin(); // 1 is the smallest budget
        one.OnBatchEnd(0, Logs(1));
        Assert.True(one.Model.StopTraining);
        Refused("maxSteps", "maxSteps must be at least 1.", () => On(new StepBudget(0), m).OnTrainBegin());
    }

    [Fact]
    public void Time_budget_continues_the_clock_of_the_interrupted_run()
    {
        var m = Compiled();
        var budget = On(new TimeBudget(TimeSpan.FromSeconds(50)), m);
        Assert.Equal(TimeSpan.FromSeconds(50), budget.Budget);
        budget.OnTrainBegin();
        budget.OnBatchEnd(0, Logs(1));
        Assert.False(budget.Stopped);
        Assert.False(m.StopTraining);

        var state = new CallbackState();
        state.Set("elapsed_seconds", 100.0);
        state.Set("stopped", 0.0);
        budget.LoadState(state);
        Assert.True(budget.Elapsed >= TimeSpan.FromSeconds(100));
        Assert.False(budget.Stopped);
        budget.OnBatchEnd(1, Logs(1));
        Assert.True(budget.Stopped);
        Assert.True(m.StopTraining);
        var saved = new CallbackState();
        budget.SaveState(saved);
        Assert.InRange(saved.GetNumber("elapsed_seconds"), 100, 1000);
        Assert.Equal(1, saved.GetNumber("stopped"));
        budget.OnTrainBegin(); // a new run starts its clock at 0
        Assert.False(budget.Stopped);
        Assert.True(budget.Elapsed < TimeSpan.FromSeconds(50));

        state.Set("stopped", 1.0);
        var stopped = On(new TimeBudget(TimeSpan.FromSeconds(500)), m);
        stopped.OnTrainBegin();
        stopped.LoadState(state);
        Assert.True(stopped.Stopped);
        Refused("budget", "budget must be positive.", () => On(new TimeBudget(TimeSpan.FromTicks(-1)), m).OnTrainBegin());
    }

    [Fact]
    public void Time_budget_decay_sets_each_batch_rate_from_the_saved_initial_rate_and_clock()
    {
        var m = Compiled(0.4f);
        var decay = On(new TimeBudgetDecay(TimeSpan.FromMinutes(4), finalFactor: 0f), m);
        decay.OnTrainBegin();
        m.Optimizer!.LearningRate = 0.1f; // the rate at the backup; the schedule's lr₀ stays 0.4
        var state = new CallbackState();
        state.Set("initial", 0.4);
        state.Set("elapsed_seconds", 60.0); // a quarter of the budget used before the resume
        var resumed = On(new TimeBudgetDecay(TimeSpan.FromMinutes(4), finalFactor: 0f), m);
        resumed.OnTrainBegin();
        resumed.LoadState(state);
        Assert.InRange(resumed.Elapsed.TotalSeconds, 60, 600);
        resumed.OnBatchBegin(0);
        Assert.InRange(m.Optimizer.LearningRate, 0.2f, 0.3f + 1e-6f); // 0.4 · (1 − ¼ − the seconds since)
        var saved = new CallbackState();
        resumed.SaveState(saved);
        Assert.Equal(0.4, saved.GetNumber("initial"), 6);
        Assert.InRange(saved.GetNumber("elapsed_seconds"), 60, 600);
        resumed.OnTrainBegin(); // a new run starts its clock at 0
        Assert.True(resumed.Elapsed < TimeSpan.FromSeconds(60));

        // The boundaries of the arguments: finalFactor 1 (no decay) and a hold just below 1 are allowed.
        m.Optimizer.LearningRate = 0.1f;
        var flat = On(new TimeBudgetDecay(TimeSpan.FromMinutes(1), finalFactor: 1f, holdFraction: 0.99), m);
        flat.OnTrainBegin();
        flat.OnBatchBegin(0);
        Assert.Equal(0.1f, m.Optimizer.LearningRate, 6);
        Refused("finalFactor", "finalFactor must be in [0, 1].", () => On(new TimeBudgetDecay(TimeSpan.FromMinutes(1), finalFactor: -0.01f), m).OnTrainBegin());
        Refused("holdFraction", "holdFraction must be in [0, 1).", () => On(new TimeBudgetDecay(TimeSpan.FromMinutes(1), holdFraction: -0.01), m).OnTrainBegin());
        Refused("budget", "budget must be positive.", () => On(new TimeBudgetDecay(TimeSpan.FromTicks(-1)), m).OnTrainBegin());
    }

    [Fact]
    public void Cosine_falls_from_the_initial_rate_to_its_minimum()
    {
        var m = Compiled(0.5f);
        var cosine = On(LearningRateScheduler.Cosine(2, minimum: 0.1f), m);
        cosine.OnTrainBegin();
        var rates = new List<float>();
        for (int e = 0; e < 4; e++)
        {
            cosine.OnEpochBegin(e);
            rates.Add(m.Optimizer!.LearningRate);
        }
        Assert.Equal(new[] { 0.5f, 0.3f, 0.1f, 0.1f }, rates.Select(r => MathF.Round(r, 6))); // 0.1 + 0.4 · (1 + cos(π e / 2)) / 2, held after epoch 2
    }

    [Fact]
    public void Early_stopping_without_best_weights_leaves_the_weights_and_loads_a_state_without_them()
    {
        var m = Compiled();
        var plain = On(new EarlyStopping("loss"), m);
        Assert.Equal(-1, plain.StoppedEpoch); // before any training too
        Assert.Equal(-1, plain.BestEpoch);
        plain.OnTrainBegin();
        plain.OnEpochEnd(0, Logs(1));
        foreach (var p in m.Parameters) p.Value.Span.Fill(2f);
        plain.OnTrainEnd();
        Assert.All(m.Parameters.SelectMany(p => p.Value.ToArray()), v => Assert.Equal(2f, v));

        var state = new CallbackState();
        plain.SaveState(state);
        var resumed = On(new EarlyStopping("loss", restoreBestWeights: true), m);
        resumed.OnTrainBegin();
        resumed.LoadState(state); // a state without best weights: none to restore at the end
        resumed.OnTrainEnd();
        Assert.All(m.Parameters.SelectMany(p => p.Value.ToArray()), v => Assert.Equal(2f, v));
    }

    [Fact]
    public void A_lambda_callback_calls_its_epoch_begin_hook()
    {
        var begun = new List<int>();
        var cb = new LambdaCallback { EpochBegin = begun.Add };
        cb.OnEpochBegin(0);
        cb.OnEpochBegin(3);
        cb.OnEpochEnd(0, Logs(1)); // hooks left unset do nothing
        cb.OnBatchEnd(0, Logs(1));
        Assert.Equal(new[] { 0, 3 }, begun);
    }
}
