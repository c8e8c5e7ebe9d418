namespace Recur.Onnx;

/// <summary>
/// A named value of the graph being built, with its element type and its shape as far as it is
/// known at export time (batch-first, as in Recur: (B, T, F) for sequences, (B, F) for vectors).
/// </summary>
/// <param name="Name">The ONNX value name (unique in the graph).</param>
/// <param name="ElementType">The element type.</param>
/// <param name="Shape">One entry per axis.</param>
public sealed record OnnxValue(string Name, OnnxElementType ElementType, IReadOnlyList<OnnxDim> Shape)
{
    /// <summary>The number of axes.</summary>
    public int Rank => Shape.Count;

    /// <summary>The same value under another name with another shape (after a node that keeps the element type).</summary>
    public OnnxValue With(string name, IReadOnlyList<OnnxDim> shape) => new(name, ElementType, shape);

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {ElementType} ({string.Join(", ", Shape)})";
}
