using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Tests.Testing;

namespace Recur.Tests.Layers.Recurrent;

/// <summary>
/// The GRU with the reset gate before the recurrent multiply (Cho et al., Keras reset_after=False)
/// against finite differences at widths that run its vector passes: H = 17 and 33 are whole
/// 8- and 16-float vectors plus a one-unit tail, so vector body, tail and the blocks of the
/// recurrent multiply all carry gradient. The loss is Σ output⊙Wy + Σ h_n⊙Wh.
/// </summary>
public class GruResetBeforeWideTests
{
    [Theory]
    [InlineData(17, 3, false, false)]
    [InlineData(17, 1, true, true)]
    [InlineData(33, 3, true, true)]
    [InlineData(33, 2, false, false)]
    public void Gradients_match_finite_differences(int units, int batch, bool bidirectional, bool masked)
    {
        const int T = 4, I = 3;
        var layer = new Gru(units, new RecurrentOptions
        {
            NumLayers = 2, Bidirectional = bidirectional, ReturnSequences = true, Initialization = RecurrentInit.PyTorch,
        }, resetAfter: false);
        layer.Build(new[] { T, I }, new SeededRandom(23));
        var r = new SeededRandom(29);
        var x = GradientCheck.RandomTensor(r, 1f, batch, T, I);
        int S = 2 * layer.Directions, W = layer.OutputWidth;
        var h0 = GradientCheck.RandomTensor(r, 0.5f, S, batch, units);
        var mask = masked ? SequenceMask.FromLengths(Enumerable.Range(0, batch).Select(b => T - b % T).ToArray(), T) : null;
        var wy = GradientCheck.RandomWeights(batch * T * W, 1);
        var wh = GradientCheck.RandomWeights(S * batch * units, 2);

        double Loss()
        {
            var o = layer.ForwardWithState(x, h0, null, mask);
            return GradientCheck.Dot(o.Output.Span, wy) + GradientCheck.Dot(o.HiddenState.Span, wh);
        }

        layer.ZeroGrad();
        layer.ForwardWithState(x, h0, null, mask);
        var g = layer.BackwardWithState(new Tensor(wy, batch, T, W), new Tensor(wh, S, batch, units));

        GradientCheck.Check("input", x.Data, g.Input!.Span, Loss);
        GradientCheck.Check("h0", h0.Data, g.InitialHidden.Span, Loss, maxChecks: 200);
        foreach (var p in layer.Parameters)
            GradientCheck.Check(p.Name, p.Value.Data, p.Grad.Span, Loss, maxChecks: 150);
    }
}
