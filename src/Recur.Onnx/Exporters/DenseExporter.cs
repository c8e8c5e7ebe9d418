using Recur.Layers;

namespace Recur.Onnx;

/// <summary>Dense as MatMul by Wᵀ (F, U), Add of the bias and the activation, on (B, F) or per step on (B, T, F).</summary>
internal static class DenseExporter
{
    public static OnnxLayerOutput Export(Dense layer, OnnxLayerContext context)
    {
        var g = context.Graph;
        var x = context.Input;
        if (x.Rank is not (2 or 3) || x.ElementType != OnnxElementType.Float)
            throw new OnnxExportException($"Layer '{layer.Name}' needs a float (batch, features) or (batch, time, features) input; got {x}.");
        string scope = OnnxGraphBuilder.Clean(layer.Name);
        int U = layer.Units, F = layer.InputFeatures;
        // Once per layer: a Dense applied several times (shared) reads the same initializers.
        string weight = g.Weight(layer, scope + "/weight_t", () => Transposed(layer.Weight!.Value.Span, U, F), F, U);
        string y = g.Node("MatMul", [x.Name, weight], scope + "/matmul");
        if (layer.Bias is { } bias) y = g.Node("Add", [y, g.Weight(layer, scope + "/bias", () => bias.Value.Span.ToArray(), U)], scope + "/add");
        y = ActivationExporter.Apply(g, y, layer.Activation, scope);
        var shape = x.Shape.ToArray();
        shape[^1] = OnnxDim.Fixed(U);
        return new OnnxLayerOutput(x.With(y, shape), x.Rank == 3 ? context.Mask : null);
    }

    /// <summary>W (U, F) → Wᵀ (F, U), the right operand of MatMul.</summary>
    private static float[] Transposed(ReadOnlySpan<float> w, int U, int F)
    {
        var wt = new float[F * U];
        for (int u = 0; u < U; u++)
            for (int f = 0; f < F; f++) wt[f * U + u] = w[u * F + f];
        return wt;
    }
}
