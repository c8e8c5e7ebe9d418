using Recur.Layers.Recurrent;
using Recur.Tests.Testing;

namespace Recur.Tests.Layers.Recurrent;

/// <summary>Finite differences of every gradient a recurrent layer's backward pass returns or accumulates.</summary>
internal static class LayerGradientCheck
{
    /// <summary>
    /// Checks ∂L/∂input, ∂L/∂h0, ∂L/∂c0 (when <paramref name="c0"/> is given) and every parameter
    /// gradient of <paramref name="layer"/> (sampled, 40 entries each) against <paramref name="loss"/>,
    /// which must read <paramref name="x"/>, <paramref name="h0"/>, <paramref name="c0"/> and <paramref name="values"/>.
    /// </summary>
    public static void All(RecurrentLayer layer, RecurrentGradients g, Tensor x, Tensor h0, Tensor? c0, float[][] values, Func<double> loss)
    {
        GradientCheck.Check("input", x.Data, g.Input!.Span, loss);
        GradientCheck.Check("h0", h0.Data, g.InitialHidden.Span, loss);
        if (c0 is not null) GradientCheck.Check("c0", c0.Data, g.InitialCell!.Span, loss);
        for (int k = 0; k < values.Length; k++)
            GradientCheck.Check(layer.Parameters[k].Name, values[k], layer.Parameters[k].Grad.Span, loss, maxChecks: 40);
    }
}
