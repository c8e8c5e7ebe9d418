using Recur.Layers;

namespace Recur.Onnx;

/// <summary>
/// Embedding as Gather: int64 ids (B, T) → (B, T, E). With <c>maskZero</c>, the mask is
/// ids ≠ 0 (and the incoming mask). <c>paddingIndex</c> only shapes training: the row is already zeros.
/// </summary>
internal static class EmbeddingExporter
{
    public static OnnxLayerOutput Export(Embedding layer, OnnxLayerContext context)
    {
        var g = context.Graph;
        var x = context.Input;
        if (x.Rank != 2)
            throw new OnnxExportException($"Layer '{layer.Name}' needs (batch, time) ids; got {x}.");
        string scope = OnnxGraphBuilder.Clean(layer.Name);
        string ids = x.ElementType == OnnxElementType.Int64 ? x.Name : g.Cast(x.Name, scope + "/ids", OnnxElementType.Int64);
        string table = g.Weight(layer, scope + "/weight", () => layer.Weight!.Value.Span.ToArray(), layer.InputDim, layer.OutputDim); // (V, E), once per layer
        string y = g.Node("Gather", [table, ids], scope, OnnxAttribute.Int("axis", 0));                            // (B, T, E)
        var output = new OnnxValue(y, OnnxElementType.Float, [x.Shape[0], x.Shape[1], OnnxDim.Fixed(layer.OutputDim)]);
        if (!layer.MaskZero) return context.Pass(output);
        string real = g.Node("Not", [g.Node("Equal", [ids, g.Scalar(0, OnnxElementType.Int64)], scope + "/is_padding")], scope + "/mask");
        if (context.Mask is { } incoming) real = g.Node("And", [real, incoming.Flags], scope + "/mask_and");
        return new OnnxLayerOutput(output, new OnnxMask(real));
    }
}
