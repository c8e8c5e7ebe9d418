using Recur.Layers.Recurrent;

namespace Recur.Tests.Layers.Recurrent;

// Shapes: T time, I input, S the width of h.

/// <summary>Stepping a one-row sequence one step at a time against running it whole.</summary>
internal static class StepCheck
{
    /// <summary>
    /// Steps <paramref name="x"/> (1, T, I) through <paramref name="layer"/> with
    /// <see cref="RecurrentLayer.Step"/> and asserts that every step's output (S) and the final
    /// states are the bits of an inference call over the whole sequence.
    /// </summary>
    public static void WholeEqualsSteps(RecurrentLayer layer, Tensor x)
    {
        int T = x.Size(1), I = x.Size(2), S = layer.StateSize;
        var whole = layer.Infer(x);
        RecurrentState? state = null;
        for (int t = 0; t < T; t++)
        {
            var step = Tensor.Zeros(1, I);
            for (int i = 0; i < I; i++) step.Span[i] = x[0, t, i];
            (var y, state) = layer.Step(step, state);
            for (int j = 0; j < S; j++) Assert.Equal(whole.Output[0, t, j], y[0, j]);
        }
        Assert.Equal(whole.HiddenState.ToArray(), state!.Hidden.ToArray());
        if (whole.CellState is not null) Assert.Equal(whole.CellState.ToArray(), state.Cell!.ToArray());
    }
}
