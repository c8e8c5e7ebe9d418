using Recur.Optimizers;

namespace Recur.Tests.Optimizers;

/// <summary>Replays the PyTorch fixture trajectories (see <see cref="OptimizerFixture"/>).</summary>
public class OptimizerParityTests
{
    private const double Relative = 1e-6;

    public static TheoryData<string> Cases() => new(OptimizerFixture.CaseNames);

    private static void AssertClose(float[] expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - (double)expected[i]) <= Relative * Math.Abs(expected[i]),
                $"{what}[{i}]: expected {expected[i]:R} (PyTorch), got {actual[i]:R}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_step_matches_pytorch(string name)
    {
        var fx = OptimizerFixture.Instance;
        var c = fx.Cases[name];
        var optimizer = c.Create();
        var p = fx.NewParameter();
        c.Replay(optimizer, p, afterStep: step => AssertClose(c.Trajectory[step], p.Value.Span, $"{name} step {step + 1}"));
        Assert.Equal(c.Trajectory.Length, optimizer.Iterations);
    }

    [Fact]
    public void Trajectories_are_bit_identical_to_pytorch()
    {
        // Stronger than the 1e-6 requirement: the same float roundings and fused multiply-adds
        // as PyTorch's CPU kernels (see Optimizer's remarks) reproduce every bit.
        var fx = OptimizerFixture.Instance;
        var mismatches = new List<string>();
        foreach (var (name, c) in fx.Cases)
        {
            var p = fx.NewParameter();
            c.Replay(c.Create(), p, afterStep: step =>
            {
                for (int i = 0; i < p.Value.Length; i++)
                    if (p.Value.Span[i] != c.Trajectory[step][i])
                        mismatches.Add($"{name} step {step + 1} [{i}]: {p.Value.Span[i]:R} vs {c.Trajectory[step][i]:R}");
            });
        }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Take(10)));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Exported_state_matches_pytorch_state_dict(string name)
    {
        var fx = OptimizerFixture.Instance;
        var c = fx.Cases[name];
        var optimizer = c.Create();
        var p = fx.NewParameter();
        c.Replay(optimizer, p);
        var state = optimizer.ExportState(new[] { p });
        Assert.Equal(optimizer.Name, state.Optimizer);
        var tensors = state.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal(c.FinalState.Keys.Select(k => $"0.{k}").Order(), tensors.Keys.Order());
        foreach (var (key, expected) in c.FinalState)
        {
            Assert.Equal(fx.Shape, tensors[$"0.{key}"].ShapeArray);
            AssertClose(expected, tensors[$"0.{key}"].Span, $"{name} {key}");
        }
        var scalars = state.Scalars.ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal(c.FinalStep ?? c.Trajectory.Length, scalars["0.step"]);
        Assert.Equal(c.Trajectory.Length, scalars["iterations"]);
        Assert.Equal(c.LearningRates[^1], scalars["learning_rate"], 6);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Resuming_from_exported_state_continues_the_same_trajectory(string name)
    {
        var fx = OptimizerFixture.Instance;
        var c = fx.Cases[name];
        const int split = 2;
        var first = c.Create();
        var p = fx.NewParameter();
        c.Replay(first, p, to: split);
        var saved = first.ExportState(new[] { p });

        // A new parameter object with the saved value, and a new optimizer built with another learning rate.
        var resumed = new Recur.Layers.Parameter("weight", p.Value.Clone());
        var second = c.Create();
        second.LearningRate = 123f;
        second.ImportState(new[] { resumed }, saved);
        Assert.Equal(split, second.Iterations);
        Assert.Equal(c.LearningRates[split - 1], second.LearningRate);
        c.Replay(second, resumed, from: split,
            afterStep: step => AssertClose(c.Trajectory[step], resumed.Value.Span, $"{name} resumed step {step + 1}"));
    }
}
