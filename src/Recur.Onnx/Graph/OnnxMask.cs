namespace Recur.Onnx;

/// <summary>
/// The sequence mask travelling with a value through the graph, as Recur's <c>SequenceMask</c>
/// travels with a tensor: a bool (B, T) value, true at real steps.
/// </summary>
/// <remarks>
/// The recurrent operators of ONNX take lengths (<c>sequence_lens</c>), not masks: the real steps
/// of each row must come first (right padding). <see cref="SequenceLengths"/> counts each row's
/// real steps and checks that they form a prefix; for a row that does not (a padding step before a
/// real one) it gives the length T + 1, which every ONNX runtime refuses ("Invalid value/s in
/// sequence_lens"), so a wrongly padded batch fails instead of giving other numbers than Recur.
/// </remarks>
public sealed class OnnxMask
{
    private string? _lengths;

    /// <summary>Wraps the bool (B, T) value <paramref name="flags"/>.</summary>
    public OnnxMask(string flags)
    {
        ArgumentException.ThrowIfNullOrEmpty(flags);
        Flags = flags;
    }

    /// <summary>The bool (B, T) value: true at real steps.</summary>
    public string Flags { get; }

    /// <summary>
    /// The int32 (B) number of real steps of each row, computed once per mask; T + 1 for a row
    /// whose real steps are not a prefix (see the remarks).
    /// </summary>
    public string SequenceLengths(OnnxGraphBuilder graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (_lengths is not null) return _lengths;
        var g = graph;
        string real = g.Cast(Flags, "mask_int", OnnxElementType.Int64);                          // (B, T) 0/1
        string count = g.ReduceSum(real, "mask_count", 1, keepDims: false);                        // (B)
        // Position t + 1 at real steps, 0 at padding: its maximum is the last real step + 1,
        // which equals the count exactly when the real steps are 0 … count − 1.
        string steps = g.ShapeSlice(Flags, "mask_steps", 1, 2);                                   // (1) = [T]
        string positions = g.Node("Range", [g.Scalar(1, OnnxElementType.Int64),
            g.Node("Add", [g.Squeeze(steps, "mask_t", 0), g.Scalar(1, OnnxElementType.Int64)], "mask_t1"),
            g.Scalar(1, OnnxElementType.Int64)], "mask_positions");                                // (T) = 1 … T
        string last = g.ReduceMax(g.Node("Mul", [real, positions], "mask_real_positions"), "mask_last", 1, keepDims: false); // (B)
        string prefix = g.Node("Equal", [count, last], "mask_is_prefix");                          // (B)
        string refused = g.Node("Add", [steps, g.Scalar(1, OnnxElementType.Int64)], "mask_refused"); // (1) = [T + 1]
        string lengths = g.Node("Where", [prefix, count, refused], "mask_lengths_i64");
        return _lengths = g.Cast(lengths, "sequence_lens", OnnxElementType.Int32);
    }
}
