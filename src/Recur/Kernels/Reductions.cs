using System.Numerics;
using System.Runtime.CompilerServices;

namespace Recur.Kernels;

/// <summary>
/// Reductions over spans (the whole-span ones accumulated in double for stability), and the
/// row-wise sums and broadcasts of the recurrent loop. Those run at every time step, so they are
/// compiled fully optimized from their first call instead of after the runtime's tiering delay.
/// </summary>
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

    /// <summary>
    /// Adds the column sums of a (rows, cols) matrix to <paramref name="into"/> (cols), row by row:
    /// each column is the same chain of float additions as <see cref="AddColumnSumsReference"/>,
    /// done a vector of columns at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddColumnSums(ReadOnlySpan<float> x, int rows, int cols, Span<float> into)
    {
        int w = Vector<float>.Count, vectorCols = Vector.IsHardwareAccelerated ? cols - cols % w : 0;
        for (int r = 0; r < rows; r++)
        {
            var row = x.Slice(r * cols, cols);
            for (int j = 0; j < vectorCols; j += w)
                (new Vector<float>(into.Slice(j)) + new Vector<float>(row.Slice(j))).CopyTo(into.Slice(j));
            for (int j = vectorCols; j < cols; j++) into[j] += row[j];
        }
    }

    /// <summary>The plain definition of <see cref="AddColumnSums"/>.</summary>
    public static void AddColumnSumsReference(ReadOnlySpan<float> x, int rows, int cols, Span<float> into)
    {
        for (int r = 0; r < rows; r++)
        {
            var row = x.Slice(r * cols, cols);
            for (int j = 0; j < cols; j++) into[j] += row[j];
        }
    }

    /// <summary>x (rows, cols) += v (cols) on every row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddToEachRow(Span<float> x, int rows, int cols, ReadOnlySpan<float> v)
    {
        int w = Vector<float>.Count, vectorCols = Vector.IsHardwareAccelerated ? cols - cols % w : 0;
        for (int r = 0; r < rows; r++)
        {
            var row = x.Slice(r * cols, cols);
            for (int j = 0; j < vectorCols; j += w)
                (new Vector<float>(row.Slice(j)) + new Vector<float>(v.Slice(j))).CopyTo(row.Slice(j));
            for (int j = vectorCols; j < cols; j++) row[j] += v[j];
        }
    }
}
