namespace Recur.Forecasting;

/// <summary>
/// Combines the forecasts of k ensemble members: the median as the point forecast and other
/// quantiles for prediction intervals. Quantiles interpolate linearly between order statistics
/// (R's default, type 7): q(p) = x₍⌊h⌋₎ + (h − ⌊h⌋)(x₍⌊h⌋+1₎ − x₍⌊h⌋₎) with h = (k − 1)p, 0-based.
/// </summary>
public static class EnsembleQuantiles
{
    /// <summary>The p-quantile of <paramref name="values"/> (order does not matter; the span is not changed).</summary>
    /// <exception cref="ArgumentException">No values, a NaN, or p outside [0, 1].</exception>
    public static double Quantile(ReadOnlySpan<double> values, double p)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "p must be in [0, 1].");
        if (values.Length == 0) throw new ArgumentException("values is empty; expected at least one value.", nameof(values));
        var sorted = values.ToArray();
        foreach (var v in sorted)
            if (double.IsNaN(v)) throw new ArgumentException("values holds a NaN.", nameof(values));
        Array.Sort(sorted);
        return SortedQuantile(sorted, p);
    }

    /// <summary>The median: the mean of the two middle values when k is even.</summary>
    public static double Median(ReadOnlySpan<double> values) => Quantile(values, 0.5);

    /// <summary>
    /// Element-wise quantiles over members: <paramref name="members"/> is (k, n) — k forecasts of n
    /// values each — and the result is (P, n), one row per entry of <paramref name="probabilities"/>.
    /// </summary>
    /// <exception cref="ArgumentException">No members, members of different lengths, or a probability outside [0, 1].</exception>
    public static double[][] Quantiles(IReadOnlyList<double[]> members, IReadOnlyList<double> probabilities)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(probabilities);
        if (members.Count == 0) throw new ArgumentException("members is empty; expected at least one forecast.", nameof(members));
        int n = members[0].Length;
        for (int i = 1; i < members.Count; i++)
            if (members[i].Length != n)
                throw new ArgumentException($"members[{i}] has {members[i].Length} values; expected {n} like members[0].", nameof(members));
        foreach (var p in probabilities)
            if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(probabilities), p, "every probability must be in [0, 1].");
        var result = new double[probabilities.Count][];
        for (int q = 0; q < result.Length; q++) result[q] = new double[n];
        var column = new double[members.Count];
        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i < members.Count; i++) column[i] = members[i][j];
            Array.Sort(column);
            for (int q = 0; q < result.Length; q++) result[q][j] = SortedQuantile(column, probabilities[q]);
        }
        return result;
    }

    private static double SortedQuantile(double[] sorted, double p)
    {
        double h = (sorted.Length - 1) * p;
        int lo = (int)Math.Floor(h);
        if (lo >= sorted.Length - 1) return sorted[^1];
        return sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]);
    }
}
