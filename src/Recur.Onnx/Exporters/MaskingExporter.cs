using Recur.Layers;

namespace Recur.Onnx;

/// <summary>
/// Masking: a step is real when any feature differs from the mask value (and the incoming mask
/// says so); masked steps become zeros.
/// </summary>
internal static class MaskingExporter
{
    public static OnnxLayerOutput Export(Masking layer, OnnxLayerContext context)
    {
        var g = context.Graph;
        var x = context.Input;
        if (x.Rank != 3 || x.ElementType != OnnxElementType.Float)
            throw new OnnxExportException($"Layer '{layer.Name}' needs a float (batch, time, features) input; got {x}.");
        string scope = OnnxGraphBuilder.Clean(layer.Name);
        string differs = g.Node("Not", [g.Node("Equal", [x.Name, g.Scalar(layer.MaskValue)], scope + "/equal")], scope + "/differs"); // (B, T, F)
        string any = g.ReduceMax(g.Cast(differs, scope + "/differs_f", OnnxElementType.Float), scope + "/any", 2, keepDims: false);  // (B, T)
        string real = g.Cast(any, scope + "/mask", OnnxElementType.Bool);
        if (context.Mask is { } incoming) real = g.Node("And", [real, incoming.Flags], scope + "/mask_and");
        string y = g.Node("Where", [g.Unsqueeze(real, scope + "/mask_3d", 2), x.Name, g.Scalar(0)], scope);
        return new OnnxLayerOutput(x.With(y, x.Shape), new OnnxMask(real));
    }
}
