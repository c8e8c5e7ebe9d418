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
    /// <paramref name="eps"/> is the step and <paramref name="rtol"/> the relative tolerance: a
    /// layer-normalised cell curves too much for the default step (Recur.Layers.Recurrent.Normalized).
    /// </summary>
    public static void All(RecurrentLayer layer, RecurrentGradients g, Tensor x, Tensor h0, Tensor? c0, float[][] values, Func<double> loss,
        float eps = 1e-2f, double rtol = 1e-2)
    {
        GradientCheck.Check("input", x.Data, g.Input!.Span, loss, eps, rtol: rtol);
        GradientCheck.Check("h0", h0.Data, g.InitialHidden.Span, loss, eps, rtol: rtol);
        if (c0 is not null) GradientCheck.Check("c0", c0.Data, g.InitialCell!.Span, loss, eps, rtol: rtol);
        for (int k = 0; k < values.Length; k++)
            GradientCheck.Check(layer.Parameters[k].Name, values[k], layer.Parameters[k].Grad.Span, loss, eps, rtol: rtol, maxChecks: 40);
    }
}

/// <summary>
/// The finite-difference settings for a layer-normalised cell: LN(x·W) is flat along W and curved
/// across it, so a smaller step than the default, where float32 noise then needs a 2 % tolerance.
/// </summary>
internal static class LayerNormCheck
{
    public const float Eps = 1e-3f;
    public const double Rtol = 2e-2;
}
