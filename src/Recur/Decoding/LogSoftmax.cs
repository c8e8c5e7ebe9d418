namespace Recur.Decoding;

/// <summary>Row-wise log-softmax, the usual output of a step model.</summary>
public static class LogSoftmax
{
    /// <summary>
    /// log softmax of each of the <paramref name="rows"/> rows of <paramref name="logits"/> (rows, V)
    /// into <paramref name="output"/> (may be the same span): z_j − max − log Σ exp(z_i − max), in double.
    /// </summary>
    public static void Rows(ReadOnlySpan<float> logits, Span<float> output, int rows, int width)
    {
        if (logits.Length != rows * width || output.Length != rows * width)
            throw new ArgumentException($"logits and output must hold {rows}×{width} values; got {logits.Length} and {output.Length}.", nameof(logits));
        for (int r = 0; r < rows; r++)
        {
            var z = logits.Slice(r * width, width);
            var o = output.Slice(r * width, width);
            float max = float.NegativeInfinity;
            foreach (var v in z) max = Math.Max(max, v);
            double sum = 0;
            foreach (var v in z) sum += Math.Exp(v - max);
            double shift = max + Math.Log(sum);
            for (int j = 0; j < width; j++) o[j] = (float)(z[j] - shift);
        }
    }
}
