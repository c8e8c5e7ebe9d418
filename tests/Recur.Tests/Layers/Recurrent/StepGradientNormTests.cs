using Recur.Layers.Recurrent;
using Recur.Tests.Testing;

namespace Recur.Tests.Layers.Recurrent;

public class StepGradientNormTests
{
    /// <summary>
    /// ∂L/∂s_t recorded in one backward pass must equal the gradient of the initial state (h, and c
    /// for an LSTM) of a run that starts at step t+1 from s_t — the same quantity computed independently.
    /// </summary>
    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("rnn_tanh")]
    public void Recorded_norms_equal_initial_state_gradients_of_the_remaining_steps(string cell)
    {
        const int B = 3, T = 6, I = 2, H = 4;
        var random = new SeededRandom(11);
        var layer = RecurrentFactory.Create(cell, H, new RecurrentOptions());
        var x = GradientCheck.RandomTensor(random, 1f, B, T, I);
        layer.Build(new[] { T, I }, new SeededRandom(5));
        var gradFinal = GradientCheck.RandomTensor(random, 1f, 1, B, H); // ∂L/∂h_T of some loss on the final state

        layer.RecordStepGradientNorms = true;
        layer.ForwardWithState(x);
        layer.BackwardWithState(null, gradFinal);
        var norms = layer.StepGradientNorms!;
        Assert.Equal(new[] { 1, T }, norms.ShapeArray);
        Assert.Equal(Norm(gradFinal.Span), norms[0, T - 1], 5);

        for (int t = 0; t < T - 1; t++)
        {
            var head = layer.ForwardWithState(Steps(x, 0, t + 1));              // h_t, c_t
            var hT = head.HiddenState.Clone();
            var cT = head.CellState?.Clone();
            layer.ForwardWithState(Steps(x, t + 1, T), hT, cT);               // steps t+1 … T−1
            var expected = layer.BackwardWithState(null, gradFinal);
            float h = Norm(expected.InitialHidden.Span), c = expected.InitialCell is null ? 0f : Norm(expected.InitialCell.Span);
            Assert.Equal(MathF.Sqrt(h * h + c * c), norms[0, t], 4);
        }
    }

    [Fact]
    public void Nothing_is_recorded_unless_asked()
    {
        var layer = new Gru(3);
        var x = GradientCheck.RandomTensor(new SeededRandom(1), 1f, 2, 4, 2);
        layer.ForwardWithState(x);
        layer.BackwardWithState(null, GradientCheck.RandomTensor(new SeededRandom(2), 1f, 1, 2, 3));
        Assert.Null(layer.StepGradientNorms);
    }

    private static Tensor Steps(Tensor x, int from, int to)
    {
        int B = x.Size(0), T = x.Size(1), I = x.Size(2);
        var result = Tensor.Zeros(B, to - from, I);
        for (int b = 0; b < B; b++)
            x.Span.Slice((b * T + from) * I, (to - from) * I).CopyTo(result.Span.Slice(b * (to - from) * I));
        return result;
    }

    private static float Norm(ReadOnlySpan<float> v)
    {
        double s = 0;
        foreach (var e in v) s += (double)e * e;
        return (float)Math.Sqrt(s);
    }
}
