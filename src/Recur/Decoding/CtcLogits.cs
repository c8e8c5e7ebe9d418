namespace Recur.Decoding;

/// <summary>Checks and helpers shared by the CTC decoders.</summary>
internal static class CtcLogits
{
    public static void Require(ReadOnlySpan<float> logits, int classes, int blank)
    {
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), classes, "classes must be at least 1.");
        if (logits.Length % classes != 0)
            throw new ArgumentException($"logits has {logits.Length} values; expected a multiple of classes = {classes} (T rows of C).", nameof(logits));
        if (blank < 0 || blank >= classes)
            throw new ArgumentOutOfRangeException(nameof(blank), blank, $"blank must be a class in [0, {classes}).");
    }

    public static (int B, int T, int C) Shape(Tensor logits, ReadOnlySpan<int> lengths)
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (logits.Rank != 3)
            throw new ArgumentException($"logits has shape {Tensor.ShapeString(logits.Shape)}; expected (batch, steps, classes).", nameof(logits));
        int B = logits.Size(0), T = logits.Size(1), C = logits.Size(2);
        if (!lengths.IsEmpty)
        {
            if (lengths.Length != B) throw new ArgumentException($"lengths has {lengths.Length} entries; expected {B}.", nameof(lengths));
            for (int b = 0; b < B; b++)
                if (lengths[b] < 0 || lengths[b] > T) throw new ArgumentException($"lengths[{b}] is {lengths[b]}; expected a value in [0, {T}].", nameof(lengths));
        }
        return (B, T, C);
    }

    /// <summary>log Σ_c exp(row_c), in double.</summary>
    public static double LogSumExp(ReadOnlySpan<float> row)
    {
        double max = double.NegativeInfinity;
        foreach (float v in row) max = Math.Max(max, v);
        double sum = 0;
        foreach (float v in row) sum += Math.Exp(v - max);
        return max + Math.Log(sum);
    }

    /// <summary>log(eᵃ + eᵇ); −∞ is the identity.</summary>
    public static double LogAdd(double a, double b)
    {
        if (double.IsNegativeInfinity(a)) return b;
        if (double.IsNegativeInfinity(b)) return a;
        return a > b ? a + Math.Log(1 + Math.Exp(b - a)) : b + Math.Log(1 + Math.Exp(a - b));
    }
}
