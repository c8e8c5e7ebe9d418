namespace Recur.Onnx;

/// <summary>
/// Short forms of the operators the built-in exporters use, at opset 17: Squeeze, Unsqueeze and
/// ReduceSum take their axes as an input; ReduceMax and ReduceMean as an attribute.
/// </summary>
internal static class Ops
{
    public static string Transpose(this OnnxGraphBuilder g, string x, string hint, params long[] perm)
        => g.Node("Transpose", [x], hint, OnnxAttribute.Ints("perm", perm));

    /// <summary>Reshape to <paramref name="shape"/> (0 copies the input's axis, −1 is inferred).</summary>
    public static string Reshape(this OnnxGraphBuilder g, string x, string hint, params long[] shape)
        => g.Node("Reshape", [x, g.Int64s(shape)], hint);

    public static string Squeeze(this OnnxGraphBuilder g, string x, string hint, params long[] axes)
        => g.Node("Squeeze", [x, g.Int64s(axes)], hint);

    public static string Unsqueeze(this OnnxGraphBuilder g, string x, string hint, params long[] axes)
        => g.Node("Unsqueeze", [x, g.Int64s(axes)], hint);

    public static string ReduceSum(this OnnxGraphBuilder g, string x, string hint, long axis, bool keepDims)
        => g.Node("ReduceSum", [x, g.Int64s(axis)], hint, OnnxAttribute.Int("keepdims", keepDims ? 1 : 0));

    public static string ReduceMax(this OnnxGraphBuilder g, string x, string hint, long axis, bool keepDims)
        => g.Node("ReduceMax", [x], hint, OnnxAttribute.Ints("axes", axis), OnnxAttribute.Int("keepdims", keepDims ? 1 : 0));

    public static string ReduceMean(this OnnxGraphBuilder g, string x, string hint, long axis, bool keepDims)
        => g.Node("ReduceMean", [x], hint, OnnxAttribute.Ints("axes", axis), OnnxAttribute.Int("keepdims", keepDims ? 1 : 0));

    public static string Cast(this OnnxGraphBuilder g, string x, string hint, OnnxElementType to)
        => g.Node("Cast", [x], hint, OnnxAttribute.Int("to", (long)to));

    /// <summary>The axes [start, end) of <paramref name="x"/>'s shape, as a 1-D int64 value.</summary>
    public static string ShapeSlice(this OnnxGraphBuilder g, string x, string hint, long start, long end)
        => g.Node("Slice", [g.Node("Shape", [x], hint + "_shape"), g.Int64s(start), g.Int64s(end), g.Int64s(0)], hint);

    /// <summary>Rows [start, end) of <paramref name="x"/> along <paramref name="axis"/>.</summary>
    public static string Slice(this OnnxGraphBuilder g, string x, string hint, long axis, long start, long end)
        => g.Node("Slice", [x, g.Int64s(start), g.Int64s(end), g.Int64s(axis)], hint);
}
