namespace Recur.Layers.Recurrent.Normalized;

// Shapes: N the width of one row (the features normalised together).

/// <summary>
/// Layer normalisation of one row (Ba et al. 2016), without its gain and bias, which the cells
/// apply themselves:
/// <code>
/// μ = Σ x / N     σ² = Σ (x − μ)² / N     rstd = 1 / √(σ² + ε)     x̂ = (x − μ)·rstd
/// </code>
/// Backward, from dx̂ = ∂L/∂x̂ (the gain already applied):
/// <code>
/// dx = rstd · (dx̂ − mean(dx̂) − x̂ ⊙ mean(dx̂ ⊙ x̂))
/// </code>
/// Sums run in double: a row is short and its statistics decide every element.
/// </summary>
internal static class RowNorm
{
    /// <summary>ε inside the square root, PyTorch's <c>LayerNorm</c> default.</summary>
    public const float Epsilon = 1e-5f;

    /// <summary>x̂ (N) from x (N) (may be the same span); returns rstd.</summary>
    public static float Forward(ReadOnlySpan<float> x, Span<float> xHat)
    {
        int n = x.Length;
        double sum = 0;
        for (int k = 0; k < n; k++) sum += x[k];
        double mean = sum / n, squares = 0;
        for (int k = 0; k < n; k++)
        {
            double d = x[k] - mean;
            squares += d * d;
        }
        float rstd = (float)(1.0 / Math.Sqrt(squares / n + Epsilon));
        float mu = (float)mean;
        for (int k = 0; k < n; k++) xHat[k] = (x[k] - mu) * rstd;
        return rstd;
    }

    /// <summary>dx (N) from dx̂ (N), x̂ (N) and rstd; <paramref name="dx"/> may be <paramref name="dxHat"/>.</summary>
    public static void Backward(ReadOnlySpan<float> dxHat, ReadOnlySpan<float> xHat, float rstd, Span<float> dx)
    {
        int n = dxHat.Length;
        double sum = 0, dot = 0;
        for (int k = 0; k < n; k++)
        {
            sum += dxHat[k];
            dot += (double)dxHat[k] * xHat[k];
        }
        float meanD = (float)(sum / n), meanDx = (float)(dot / n);
        for (int k = 0; k < n; k++) dx[k] = rstd * (dxHat[k] - meanD - xHat[k] * meanDx);
    }
}
