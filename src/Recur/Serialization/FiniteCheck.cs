using System.Numerics;

namespace Recur.Serialization;

/// <summary>Finds NaN and infinite values in weights read from a file.</summary>
internal static class FiniteCheck
{
    /// <summary>Null when every value of <paramref name="tensor"/> is finite, else what is wrong ("holds 3 non-finite values; the first is NaN, element 17").</summary>
    public static string? Problem(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var span = tensor.Span;
        int first = FirstNonFinite(span);
        if (first < 0) return null;
        long count = 0;
        for (int i = first; i < span.Length; i++)
            if (!float.IsFinite(span[i])) count++;
        return $"holds {count:N0} non-finite value{(count == 1 ? "" : "s")}; the first is {Name(span[first])}, element {first}";
    }

    /// <summary>The index of the first NaN or ±∞, or −1: x·0 is 0 exactly when x is finite.</summary>
    internal static int FirstNonFinite(ReadOnlySpan<float> values)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var v = new Vector<float>(values[i..]);
                if (!Vector.EqualsAll(v * Vector<float>.Zero, Vector<float>.Zero)) break;
            }
        }
        for (; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return i;
        return -1;
    }

    private static string Name(float v) => float.IsNaN(v) ? "NaN" : v > 0 ? "+∞" : "−∞";
}
