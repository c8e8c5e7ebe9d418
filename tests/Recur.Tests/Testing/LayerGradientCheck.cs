using Recur.Layers;

namespace Recur.Tests.Testing;

/// <summary>
/// Finite-difference check of a whole layer: loss = Σ Forward(x) ⊙ R for a fixed random R, so
/// Backward(R) must return dloss/dx and accumulate dloss/dθ into every parameter's gradient.
/// </summary>
internal static class LayerGradientCheck
{
    /// <summary>
    /// Checks the input gradient (unless <paramref name="checkInput"/> is false) and every
    /// parameter gradient of <paramref name="layer"/> at <paramref name="input"/>.
    /// The forward pass must be deterministic across calls.
    /// </summary>
    public static void Check(
        Layer layer, Tensor input, SequenceMask? mask = null, bool training = false, bool checkInput = true,
        float eps = 1e-3f, double atol = 1e-3, double rtol = 1e-2, int seed = 11)
    {
        Tensor forward(Tensor x) => layer.Forward(x, mask, training);
        var output = forward(input);
        var r = GradientCheck.RandomWeights(output.Length, seed);
        double Loss() => GradientCheck.Dot(forward(input).Span, r);

        layer.ZeroGrad();
        forward(input);
        var dx = layer.Backward(Tensor.FromArray(r, output.ShapeArray));
        Assert.Equal(input.ShapeArray, dx.ShapeArray);

        if (checkInput)
            GradientCheck.Check($"{layer.Name}: d/dinput", input.Data, dx.Span, Loss, eps, atol, rtol);
        foreach (var p in layer.Parameters)
            GradientCheck.Check($"{layer.Name}: d/d{p.Name}", p.Value.Data, p.Grad.Span, Loss, eps, atol, rtol);
    }
}
