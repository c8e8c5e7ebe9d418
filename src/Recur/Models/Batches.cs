using Recur.Layers;

namespace Recur.Models;

/// <summary>Gathers rows (the first axis) of tensors and masks into batches.</summary>
internal static class Batches
{
    /// <summary>A new tensor of the given rows of <paramref name="source"/> (N, …) → (rows, …).</summary>
    public static Tensor Take(Tensor source, ReadOnlySpan<int> rows)
    {
        var shape = source.ShapeArray;
        int width = shape[0] == 0 ? 0 : source.Length / shape[0];
        shape[0] = rows.Length;
        var result = Tensor.Zeros(shape);
        for (int i = 0; i < rows.Length; i++)
            source.Span.Slice(rows[i] * width, width).CopyTo(result.Span.Slice(i * width, width));
        return result;
    }

    public static SequenceMask? Take(SequenceMask? mask, ReadOnlySpan<int> rows)
    {
        if (mask is null) return null;
        int T = mask.Steps;
        var flags = new bool[rows.Length * T];
        for (int i = 0; i < rows.Length; i++) mask.Flags.Slice(rows[i] * T, T).CopyTo(flags.AsSpan(i * T, T));
        return new SequenceMask(flags, rows.Length, T);
    }

    /// <summary>Rows [start, start + count) as an index array.</summary>
    public static int[] Range(int start, int count) => Enumerable.Range(start, count).ToArray();

    /// <summary>Concatenates batch outputs along the first axis.</summary>
    public static Tensor Concat(IReadOnlyList<Tensor> parts)
    {
        var shape = parts[0].ShapeArray;
        shape[0] = parts.Sum(p => p.Size(0));
        var result = Tensor.Zeros(shape);
        int offset = 0;
        foreach (var p in parts)
        {
            p.Span.CopyTo(result.Span.Slice(offset));
            offset += p.Length;
        }
        return result;
    }
}
