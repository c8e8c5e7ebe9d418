namespace Recur.Initializers;

/// <summary>Weight initializers. All draw from a <see cref="SeededRandom"/>, so a seed fixes the weights.</summary>
public static class Initializer
{
    /// <summary>Glorot (Xavier) uniform: U(−a, a) with a = √(6 / (fanIn + fanOut)) — Keras' default kernel initializer.</summary>
    public static void GlorotUniform(Span<float> w, int fanIn, int fanOut, SeededRandom random)
    {
        float a = MathF.Sqrt(6f / (fanIn + fanOut));
        Uniform(w, -a, a, random);
    }

    /// <summary>U(low, high).</summary>
    public static void Uniform(Span<float> w, float low, float high, SeededRandom random)
    {
        for (int i = 0; i < w.Length; i++) w[i] = random.Uniform(low, high);
    }

    /// <summary>
    /// A (rows, cols) matrix with orthonormal columns (rows ≥ cols) or orthonormal rows (rows &lt; cols),
    /// from the QR decomposition of a standard normal matrix with the signs of R's diagonal folded
    /// in, as Keras' <c>Orthogonal</c> initializer does. Computed in double (modified Gram–Schmidt).
    /// </summary>
    public static void Orthogonal(Span<float> w, int rows, int cols, SeededRandom random, float gain = 1f)
    {
        if (w.Length != rows * cols)
            throw new ArgumentException($"Orthogonal: span has {w.Length} elements; expected {rows}×{cols}.", nameof(w));
        bool transpose = rows < cols;
        int n = transpose ? cols : rows; // tall dimension
        int m = transpose ? rows : cols; // columns to orthonormalize
        var q = new double[n * m];       // column-major: column j at q[j*n ..]
        for (int i = 0; i < q.Length; i++) q[i] = random.Normal();
        for (int j = 0; j < m; j++)
        {
            var cj = q.AsSpan(j * n, n);
            for (int p = 0; p < j; p++)
            {
                var cp = q.AsSpan(p * n, n);
                double dot = 0;
                for (int i = 0; i < n; i++) dot += cp[i] * cj[i];
                for (int i = 0; i < n; i++) cj[i] -= dot * cp[i];
            }
            double norm = 0;
            for (int i = 0; i < n; i++) norm += cj[i] * cj[i];
            norm = Math.Sqrt(norm);
            // R's diagonal is +norm here, so no sign flip is needed; a zero column cannot occur in practice.
            for (int i = 0; i < n; i++) cj[i] /= norm;
        }
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                w[r * cols + c] = gain * (float)(transpose ? q[r * n + c] : q[c * n + r]);
    }
}
