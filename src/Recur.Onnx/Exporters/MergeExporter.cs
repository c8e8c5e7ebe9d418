using Recur.Layers;

namespace Recur.Onnx;

/// <summary>
/// The functional graphs' merge layers: Add and Multiply as the element-wise ONNX operators over
/// inputs of one shape, Concatenate as Concat on the same axis of the batch tensor; the output mask
/// is the AND of the inputs' masks, as <c>MergeLayer.ComputeMask</c> gives it.
/// </summary>
internal static class MergeExporter
{
    public static OnnxLayerOutput ExportAdd(Add layer, OnnxLayerContext context) => Elementwise(layer, context, "Add");

    public static OnnxLayerOutput ExportMultiply(Multiply layer, OnnxLayerContext context) => Elementwise(layer, context, "Mul");

    /// <summary>(B, …) ∘ (B, …) ∘ … → (B, …), folded left as Recur folds them.</summary>
    private static OnnxLayerOutput Elementwise(MergeLayer layer, OnnxLayerContext context, string op)
    {
        var xs = FloatInputs(layer, context);
        var g = context.Graph;
        string scope = OnnxGraphBuilder.Clean(layer.Name);
        string y = xs[0].Name;
        for (int i = 1; i < xs.Count; i++) y = g.Node(op, [y, xs[i].Name], $"{scope}/{op.ToLowerInvariant()}");
        return new OnnxLayerOutput(xs[0].With(y, xs[0].Shape), AndMasks(g, context.Masks, scope));
    }

    /// <summary>(B, …, Fᵢ, …) → (B, …, ΣFᵢ, …) along the layer's axis of the batch tensor.</summary>
    public static OnnxLayerOutput ExportConcatenate(Concatenate layer, OnnxLayerContext context)
    {
        var xs = FloatInputs(layer, context);
        var g = context.Graph;
        string scope = OnnxGraphBuilder.Clean(layer.Name);
        int rank = xs[0].Rank, axis = layer.Axis < 0 ? rank + layer.Axis : layer.Axis;
        var shape = xs[0].Shape.ToArray();
        shape[axis] = xs.All(x => x.Shape[axis].IsFixed) ? OnnxDim.Fixed(xs.Sum(x => x.Shape[axis].Size)) : OnnxDim.Dynamic;
        string y = g.Node("Concat", xs.Select(x => x.Name).ToArray(), scope, OnnxAttribute.Int("axis", axis));
        return new OnnxLayerOutput(xs[0].With(y, shape), AndMasks(g, context.Masks, scope));
    }

    private static IReadOnlyList<OnnxValue> FloatInputs(MergeLayer layer, OnnxLayerContext context)
    {
        var xs = context.Inputs;
        if (xs.Count < 2 || xs.Any(x => x.ElementType != OnnxElementType.Float || x.Rank != xs[0].Rank))
            throw new OnnxExportException($"Layer '{layer.Name}' needs two or more float inputs of one rank; got {string.Join(", ", xs)}.");
        return xs;
    }

    /// <summary>The AND of the masks given (null when none is).</summary>
    private static OnnxMask? AndMasks(OnnxGraphBuilder g, IReadOnlyList<OnnxMask?> masks, string scope)
    {
        var given = masks.OfType<OnnxMask>().ToList();
        if (given.Count <= 1) return given.FirstOrDefault();
        string flags = given[0].Flags;
        for (int i = 1; i < given.Count; i++) flags = g.Node("And", [flags, given[i].Flags], scope + "/mask_and");
        return new OnnxMask(flags);
    }
}
