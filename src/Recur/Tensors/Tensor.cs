using System.Runtime.CompilerServices;

namespace Recur;

/// <summary>
/// A dense float32 tensor, row-major (the last dimension is contiguous), with a fixed shape.
/// </summary>
/// <remarks>
/// The tensor owns a flat <c>float[]</c>; <see cref="Reshape"/> returns a view over the same
/// storage. Every constructor checks that the shape is non-negative and that the data length
/// equals the product of the dimensions.
/// </remarks>
public sealed class Tensor
{
    private readonly int[] _shape;

    /// <summary>The flat row-major storage. Its length is <see cref="Length"/>.</summary>
    internal readonly float[] Data;

    /// <summary>Wraps <paramref name="data"/> (not copied) with the given shape.</summary>
    /// <exception cref="ArgumentException">The shape has a negative dimension, or its product differs from <c>data.Length</c>.</exception>
    public Tensor(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        long n = CheckedVolume(shape, nameof(shape));
        if (n != data.Length)
            throw new ArgumentException(
                $"Shape {ShapeString(shape)} holds {n} elements but the data has {data.Length}.", nameof(data));
        Data = data;
        _shape = (int[])shape.Clone();
    }

    /// <summary>A tensor of zeros with the given shape.</summary>
    public static Tensor Zeros(params int[] shape)
    {
        long n = CheckedVolume(shape, nameof(shape));
        Serialization.AllocationBudget.Charge(n); // a model file being loaded caps what its layers allocate
        return new Tensor(new float[n], shape);
    }

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(float value, params int[] shape)
    {
        // Filled right away: no need for the runtime to zero it first.
        long n = CheckedVolume(shape, nameof(shape));
        Serialization.AllocationBudget.Charge(n);
        var t = new Tensor(GC.AllocateUninitializedArray<float>((int)n), shape);
        Array.Fill(t.Data, value);
        return t;
    }

    /// <summary>A copy of <paramref name="values"/> with the given shape.</summary>
    public static Tensor FromArray(ReadOnlySpan<float> values, params int[] shape)
    {
        long n = CheckedVolume(shape, nameof(shape));
        if (n != values.Length)
            throw new ArgumentException(
                $"Shape {ShapeString(shape)} holds {n} elements but {values.Length} values were given.", nameof(values));
        return new Tensor(values.ToArray(), shape);
    }

    /// <summary>A (rows, cols) tensor from a rectangular jagged array.</summary>
    public static Tensor FromRows(float[][] rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int cols = rows.Length == 0 ? 0 : rows[0].Length;
        var t = Zeros(rows.Length, cols);
        for (int r = 0; r < rows.Length; r++)
        {
            if (rows[r].Length != cols)
                throw new ArgumentException($"Row {r} has {rows[r].Length} values; expected {cols} like row 0.", nameof(rows));
            rows[r].CopyTo(t.Data, r * cols);
        }
        return t;
    }

    /// <summary>The dimensions, outermost first.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>A copy of the dimensions.</summary>
    public int[] ShapeArray => (int[])_shape.Clone();

    /// <summary>Number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>Total number of elements.</summary>
    public int Length => Data.Length;

    /// <summary>Size of dimension <paramref name="dim"/> (negative counts from the end).</summary>
    public int Size(int dim)
    {
        int d = dim < 0 ? dim + _shape.Length : dim;
        if ((uint)d >= (uint)_shape.Length)
            throw new ArgumentOutOfRangeException(nameof(dim), dim, $"Tensor of rank {Rank} has no dimension {dim}.");
        return _shape[d];
    }

    /// <summary>The elements as a span (row-major).</summary>
    public Span<float> Span => Data;

    /// <summary>Element access by full index.</summary>
    public float this[params int[] index]
    {
        get => Data[Offset(index)];
        set => Data[Offset(index)] = value;
    }

    private int Offset(int[] index)
    {
        if (index.Length != _shape.Length)
            throw new ArgumentException($"Index has {index.Length} coordinates; the tensor has rank {Rank}.", nameof(index));
        int off = 0;
        for (int i = 0; i < index.Length; i++)
        {
            if ((uint)index[i] >= (uint)_shape[i])
                throw new ArgumentOutOfRangeException(nameof(index), $"Index {index[i]} is outside dimension {i} of size {_shape[i]}.");
            off = off * _shape[i] + index[i];
        }
        return off;
    }

    /// <summary>A view with a new shape over the same storage. One dimension may be -1 (inferred).</summary>
    public Tensor Reshape(params int[] shape)
    {
        var s = (int[])shape.Clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException("Only one dimension may be -1.", nameof(shape));
                infer = i;
            }
            else known *= s[i];
        }
        if (infer >= 0)
        {
            if (known == 0 || Length % known != 0)
                throw new ArgumentException($"Cannot reshape {ShapeString(_shape)} to {ShapeString(shape)}.", nameof(shape));
            s[infer] = (int)(Length / known);
        }
        return new Tensor(Data, s);
    }

    /// <summary>A deep copy.</summary>
    public Tensor Clone() => new((float[])Data.Clone(), _shape);

    /// <summary>A copy of the elements.</summary>
    public float[] ToArray() => (float[])Data.Clone();

    /// <summary>Sets every element to zero.</summary>
    public void Clear() => Array.Clear(Data);

    /// <summary>Copies <paramref name="source"/> into this tensor; the shapes must be equal.</summary>
    public void CopyFrom(Tensor source)
    {
        RequireShape(source, _shape, nameof(source));
        source.Data.CopyTo(Data, 0);
    }

    /// <summary>True when the shapes are equal.</summary>
    public bool SameShape(ReadOnlySpan<int> other) => _shape.AsSpan().SequenceEqual(other);

    /// <summary>True when any element is NaN or infinite.</summary>
    public bool HasNonFinite()
    {
        foreach (float v in Data)
            if (!float.IsFinite(v)) return true;
        return false;
    }

    /// <summary>Throws when any element is NaN or infinite, naming the argument and the first bad position.</summary>
    public void ThrowIfNonFinite(string argumentName)
    {
        for (int i = 0; i < Data.Length; i++)
            if (!float.IsFinite(Data[i]))
                throw new ArgumentException(
                    $"{argumentName} contains {Data[i]} at flat index {i} (shape {ShapeString(_shape)}); expected only finite values.",
                    argumentName);
    }

    /// <inheritdoc/>
    public override string ToString() => $"Tensor{ShapeString(_shape)}";

    /// <summary>Formats a shape as <c>(2, 3, 4)</c>.</summary>
    public static string ShapeString(ReadOnlySpan<int> shape)
    {
        if (shape.Length == 1) return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"({shape[0]},)");
        var parts = new string[shape.Length];
        for (int i = 0; i < shape.Length; i++) parts[i] = shape[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
        return "(" + string.Join(", ", parts) + ")";
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="t"/> has exactly the expected shape.</summary>
    public static void RequireShape(Tensor t, ReadOnlySpan<int> expected, string argumentName)
    {
        ArgumentNullException.ThrowIfNull(t, argumentName);
        if (!t.SameShape(expected))
            throw new ArgumentException(
                $"{argumentName} has shape {ShapeString(t.Shape)}; expected {ShapeString(expected)}.", argumentName);
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="t"/> has the expected rank.</summary>
    public static void RequireRank(Tensor t, int rank, string argumentName, string layout)
    {
        ArgumentNullException.ThrowIfNull(t, argumentName);
        if (t.Rank != rank)
            throw new ArgumentException(
                $"{argumentName} has shape {ShapeString(t.Shape)}; expected rank {rank} {layout}.", argumentName);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long CheckedVolume(int[] shape, string name)
    {
        ArgumentNullException.ThrowIfNull(shape, name);
        long n = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"Shape {ShapeString(shape)} has a negative dimension.", name);
            n *= d;
            if (n > Array.MaxLength)
                throw new ArgumentException($"Shape {ShapeString(shape)} has more elements than an array can hold.", name);
        }
        return n;
    }
}
