using Recur.Layers;

namespace Recur.Onnx;

/// <summary>
/// TimeDistributed: (B, T, …) → (B·T, …) → the wrapped layer's exporter → (B, T, …′); the mask
/// passes through. The wrapped layer sees steps as its batch, so it exposes no states.
/// </summary>
internal static class TimeDistributedExporter
{
    public static OnnxLayerOutput Export(TimeDistributed layer, OnnxLayerContext context)
    {
        var g = context.Graph;
        var x = context.Input;
        if (x.Rank < 3)
            throw new OnnxExportException($"Layer '{layer.Name}' needs a (batch, time, …) input; got {x}.");
        string scope = OnnxGraphBuilder.Clean(layer.Name);
        string rest = g.ShapeSlice(x.Name, scope + "/step_shape", 2, x.Rank);
        string flatShape = g.Node("Concat", [g.Int64s(-1), rest], scope + "/flat_shape", OnnxAttribute.Int("axis", 0));
        string flat = g.Node("Reshape", [x.Name, flatShape], scope + "/flat");                                   // (B·T, …)
        var steps = x.With(flat, new[] { OnnxDim.Dynamic }.Concat(x.Shape.Skip(2)).ToArray());
        var inner = context.ExportInner(layer.Inner, steps, null).Output;                                         // (B·T, …′)
        string batchTime = g.ShapeSlice(x.Name, scope + "/batch_time", 0, 2);
        string innerRest = g.ShapeSlice(inner.Name, scope + "/inner_shape", 1, inner.Rank);
        string shape = g.Node("Concat", [batchTime, innerRest], scope + "/shape", OnnxAttribute.Int("axis", 0));
        string y = g.Node("Reshape", [inner.Name, shape], scope);
        var dims = new[] { x.Shape[0], x.Shape[1] }.Concat(inner.Shape.Skip(1)).ToArray();
        return context.Pass(inner.With(y, dims));
    }
}
