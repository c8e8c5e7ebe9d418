using System.Globalization;

namespace Recur.Onnx;

/// <summary>
/// One axis of an ONNX value's shape: a fixed size, a named symbolic size (<c>batch</c>,
/// <c>time</c>: the same name means the same size throughout the graph) or an unnamed dynamic size.
/// </summary>
public readonly record struct OnnxDim
{
    private OnnxDim(long size, string? symbol)
    {
        Size = size;
        Symbol = symbol;
    }

    /// <summary>The fixed size, or −1 when the axis is symbolic or dynamic.</summary>
    public long Size { get; }

    /// <summary>The symbolic name, or null.</summary>
    public string? Symbol { get; }

    /// <summary>True when the size is known at export time.</summary>
    public bool IsFixed => Size >= 0;

    /// <summary>The batch axis of the model's inputs and outputs.</summary>
    public static OnnxDim Batch { get; } = new(-1, "batch");

    /// <summary>The time axis of the model's sequence inputs and outputs.</summary>
    public static OnnxDim Time { get; } = new(-1, "time");

    /// <summary>A size only known when the model runs, without a name.</summary>
    public static OnnxDim Dynamic { get; } = new(-1, null);

    /// <summary>A fixed size.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is negative.</exception>
    public static OnnxDim Fixed(long size)
        => size >= 0 ? new(size, null) : throw new ArgumentOutOfRangeException(nameof(size), size, "A fixed axis size must be ≥ 0.");

    /// <summary>A named symbolic size.</summary>
    public static OnnxDim Symbolic(string symbol)
    {
        ArgumentException.ThrowIfNullOrEmpty(symbol);
        return new(-1, symbol);
    }

    /// <inheritdoc/>
    public override string ToString() => IsFixed ? Size.ToString(CultureInfo.InvariantCulture) : Symbol ?? "?";
}
