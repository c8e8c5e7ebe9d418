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
        var w = layer.Weight!.Value.Span;                  // (U, F)
        var wt = new float[F * U];                         // (F, U)
        for (int u = 0; u < U; u++)
            for (int f = 0; f < F; f++) wt[f * U + u] = w[u * F + f];
        string y = g.Node("MatMul", [x.Name, g.Initializer(scope + "/weight_t", wt, F, U)], scope + "/matmul");
        if (layer.Bias is { } bias) y = g.Node("Add", [y, g.Initializer(scope + "/bias", bias.Value.Span, U)], scope + "/add");
        y = ActivationExporter.Apply(g, y, layer.Activation, scope);
        var shape = x.Shape.ToArray();
        shape[^1] = OnnxDim.Fixed(U);
        return new OnnxLayerOutput(x.With(y, shape), x.Rank == 3 ? context.Mask : null);
    }
}
