namespace Recur.Decoding;

/// <summary>Gathers rows of a tensor along one axis (beam reordering, repeating an input's state).</summary>
public static class RowSelection
{
    /// <summary>
    /// A tensor like <paramref name="source"/> whose index <c>i</c> along <paramref name="axis"/> is
    /// index <c>rows[i]</c> of the source: for a recurrent state (L·D, B, H) use axis 1, for
    /// batch-first data (B, …) axis 0.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is not one of the tensor's, or a row is outside it.</exception>
    public static Tensor Select(Tensor source, int axis, ReadOnlySpan<int> rows)
    {
        ArgumentNullException.ThrowIfNull(source);
        if ((uint)axis >= (uint)source.Rank)
            throw new ArgumentOutOfRangeException(nameof(axis), axis, $"axis must be in [0, {source.Rank}) for a tensor of shape {Tensor.ShapeString(source.Shape)}.");
        int size = source.Size(axis), outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= source.Size(d);
        for (int d = axis + 1; d < source.Rank; d++) inner *= source.Size(d);
        var shape = source.ShapeArray;
        shape[axis] = rows.Length;
        var result = Tensor.Zeros(shape);
        var from = source.Span;
        var to = result.Span;
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < rows.Length; i++)
            {
                int r = rows[i];
                if ((uint)r >= (uint)size)
                    throw new ArgumentOutOfRangeException(nameof(rows), r, $"rows[{i}] is {r}; expected a value in [0, {size}) along axis {axis}.");
                from.Slice((o * size + r) * inner, inner).CopyTo(to.Slice((o * rows.Length + i) * inner, inner));
            }
        return result;
    }
}
