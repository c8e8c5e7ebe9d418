using Recur.Layers;

namespace Recur.Onnx;

/// <summary>
/// GlobalMaxPooling1D: (B, T, F) → (B, F), the maximum over real steps; a row without any real
/// step gives zeros, as in Recur.
/// </summary>
internal static class PoolingExporter
{
    public static OnnxLayerOutput Export(GlobalMaxPooling1D layer, OnnxLayerContext context)
    {
        var g = context.Graph;
        var x = context.Input;
        if (x.Rank != 3 || x.ElementType != OnnxElementType.Float)
            throw new OnnxExportException($"Layer '{layer.Name}' needs a float (batch, time, features) input; got {x}.");
        string scope = OnnxGraphBuilder.Clean(layer.Name);
        var shape = new[] { x.Shape[0], x.Shape[2] };
        if (context.Mask is null) return new OnnxLayerOutput(x.With(g.ReduceMax(x.Name, scope, 1, keepDims: false), shape), null);
        string real = g.Unsqueeze(context.Mask.Flags, scope + "/mask_3d", 2);                                     // (B, T, 1)
        string masked = g.Node("Where", [real, x.Name, g.Scalar(float.NegativeInfinity)], scope + "/masked");     // (B, T, F)
        string max = g.ReduceMax(masked, scope + "/max", 1, keepDims: false);                                     // (B, F)
        string anyReal = g.ReduceMax(g.Cast(real, scope + "/mask_f", OnnxElementType.Float), scope + "/any", 1, keepDims: false); // (B, 1)
        string y = g.Node("Where", [g.Cast(anyReal, scope + "/any_b", OnnxElementType.Bool), max, g.Scalar(0)], scope);
        return new OnnxLayerOutput(x.With(y, shape), null);
    }
}
