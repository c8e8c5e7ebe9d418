namespace Recur.Kernels;

/// <summary>Reductions over spans, accumulated in double for stability.</summary>
internal static class Reductions
{
    public static double Sum(ReadOnlySpan<float> x)
    {
        double s = 0;
        foreach (float v in x) s += v;
        return s;
    }

    public static double SumOfSquares(ReadOnlySpan<float> x)
    {
        double s = 0;
        foreach (float v in x) s += (double)v * v;
        return s;
    }

    public static double Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        if (x.Length != y.Length)
            throw new ArgumentException($"Dot needs equal lengths; got {x.Length} and {y.Length}.");
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += (double)x[i] * y[i];
        return s;
    }

    public static float MaxAbs(ReadOnlySpan<float> x)
    {
        float m = 0;
        foreach (float v in x) m = MathF.Max(m, MathF.Abs(v));
        return m;
    }

    /// <summary>Adds the column sums of a (rows, cols) matrix to <paramref name="into"/> (cols).</summary>
    public static void AddColumnSums(ReadOnlySpan<float> x, int rows, int cols, Span<float> into)
    {
        for (int r = 0; r < rows; r++)
        {
            var row = x.Slice(r * cols, cols);
            for (int j = 0; j < cols; j++) into[j] += row[j];
        }
    }
}
