namespace Recur.Onnx;

/// <summary>
/// The sequence mask travelling with a value through the graph, as Recur's <c>SequenceMask</c>
/// travels with a tensor: a bool (B, T) value, true at real steps.
/// </summary>
/// <remarks>
/// The recurrent operators of ONNX take lengths (<c>sequence_lens</c>), not masks: the real steps
/// of each row must come first (right padding). <see cref="SequenceLengths"/> counts each row's
/// real steps and checks in the graph that they form a prefix. A batch with a row that does not
/// (left padding, or a gap between real steps) is refused by the runtime at a node named
/// <see cref="RefusalName"/>, so the error says what is wrong and what to do instead of the
/// model answering with other numbers than Recur's: in ONNX Runtime,
/// <c>Non-zero status code returned while running Gather node.
/// Name:'refused_mask_with_padding_before_a_real_step__pad_rows_on_the_right/Gather' Status Message:
/// indices element out of data bounds, idx=1 …</c>. (Recur itself takes any mask: a masked step
/// keeps the state. Only the exported form needs right padding.)
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
    /// The name of the node that refuses a row whose real steps are not a prefix (see the
    /// remarks); runtimes name the failing node in their error.
    /// </summary>
    public const string RefusalName = "refused_mask_with_padding_before_a_real_step__pad_rows_on_the_right";

    /// <summary>
    /// The int32 (B) number of real steps of each row, computed once per mask; a run whose
    /// batch has a row whose real steps are not a prefix fails (see the remarks).
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
        // The check: a Gather from the one-element table [0], at index 0 for a right-padded row
        // and 1 for any other. ONNX makes an index out of bounds an error, so every runtime stops
        // there and names the node; for the rows it lets through it adds 0 to the count.
        string offending = g.Cast(g.Node("Not", [prefix], "mask_not_prefix"), "mask_offending", OnnxElementType.Int64); // (B) 0/1
        string zeros = g.Node("Gather", [g.Int64s(0), offending], RefusalName, OnnxAttribute.Int("axis", 0));           // (B) 0
        string lengths = g.Node("Add", [count, zeros], "mask_lengths_i64");
        return _lengths = g.Cast(lengths, "sequence_lens", OnnxElementType.Int32);
    }
}
