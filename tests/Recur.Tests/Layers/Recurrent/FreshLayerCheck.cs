using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Tests.Testing;

namespace Recur.Tests.Layers.Recurrent;

// Shapes: B batch, T time, I input, S the width of h, H hidden, LD layers × directions.

/// <summary>
/// Checks for options whose training pass draws random masks from the generator a layer forks at
/// build time (variational dropout, zoneout): a fresh layer built from the same seed draws the
/// same masks on its first call, which fixes them for finite differences.
/// </summary>
internal static class FreshLayerCheck
{
    /// <summary>
    /// Finite differences of every gradient of one call in <paramref name="training"/> mode, each
    /// loss evaluation on a fresh layer from <paramref name="build"/>(values) (null: the initial
    /// values). With <paramref name="masked"/>, lengths T, 2, 4 (B ≤ 3). Returns the output of
    /// the checked call and of an inference call on the same inputs, each (B, T, W).
    /// </summary>
    public static (float[] Checked, float[] Inference) Gradients(Func<float[][]?, RecurrentLayer> build, int batch, int steps, int inputs, bool masked, bool training)
        => Gradients(build, batch, steps, inputs, masked, training, layerNorm: false);

    /// <summary>As above, with the settings of <see cref="LayerNormCheck"/> when <paramref name="layerNorm"/>.</summary>
    public static (float[] Checked, float[] Inference) Gradients(Func<float[][]?, RecurrentLayer> build, int batch, int steps, int inputs, bool masked, bool training,
        bool layerNorm)
    {
        var values = build(null).Parameters.Select(p => p.Value.ToArray()).ToArray();
        var r = new SeededRandom(17);
        var x = GradientCheck.RandomTensor(r, 1f, batch, steps, inputs);
        var probe = build(null);
        int LD = probe.Options.NumLayers * probe.Directions, S = probe.StateSize, H = probe.Units, W = probe.OutputWidth;
        var h0 = GradientCheck.RandomTensor(r, 0.5f, LD, batch, S);
        var c0 = probe.HasCell ? GradientCheck.RandomTensor(r, 0.5f, LD, batch, H) : null;
        var mask = masked ? SequenceMask.FromLengths(new[] { steps, 2, 4 }.AsSpan(0, batch).ToArray(), steps) : null;
        var wy = GradientCheck.RandomWeights(batch * steps * W, 1);
        var wh = GradientCheck.RandomWeights(LD * batch * S, 2);
        var wc = GradientCheck.RandomWeights(LD * batch * H, 3);

        double Loss()
        {
            var o = build(values).ForwardWithState(x, h0, c0, mask, training: training);
            double l = GradientCheck.Dot(o.Output.Span, wy) + GradientCheck.Dot(o.HiddenState.Span, wh);
            if (o.CellState is not null) l += GradientCheck.Dot(o.CellState.Span, wc);
            return l;
        }

        var layer = build(values);
        var result = layer.ForwardWithState(x, h0, c0, mask, training: training);
        var g = layer.BackwardWithState(new Tensor(wy, batch, steps, W), new Tensor(wh, LD, batch, S), c0 is null ? null : new Tensor(wc, LD, batch, H));
        if (layerNorm) LayerGradientCheck.All(layer, g, x, h0, c0, values, Loss, LayerNormCheck.Eps, LayerNormCheck.Rtol);
        else LayerGradientCheck.All(layer, g, x, h0, c0, values, Loss);
        return (result.Output.ToArray(), build(values).ForwardWithState(x, h0, c0, mask).Output.ToArray());
    }

    /// <summary>
    /// Two layers from the same seed give the same training output, one from another seed a
    /// different one; <paramref name="build"/>(seed, values). Returns the training output.
    /// </summary>
    public static float[] SameSeedSameMasks(Func<ulong, float[][]?, RecurrentLayer> build, int batch, int steps, int inputs)
    {
        var x = GradientCheck.RandomTensor(new SeededRandom(4), 1f, batch, steps, inputs);
        var values = build(3, null).Parameters.Select(p => p.Value.ToArray()).ToArray();
        var a = build(3, values).ForwardWithState(x, training: true).Output.ToArray();
        var b = build(3, values).ForwardWithState(x, training: true).Output.ToArray();
        var other = build(9, values).ForwardWithState(x, training: true).Output.ToArray();
        Assert.Equal(a, b);
        Assert.NotEqual(a, other);
        return a;
    }
}
