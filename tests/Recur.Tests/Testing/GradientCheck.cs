using Xunit.Sdk;

namespace Recur.Tests.Testing;

/// <summary>
/// Central finite differences against analytic gradients, for float32 code.
/// The loss is evaluated in double from the float outputs; each perturbation divides by the
/// step actually taken in float (x⁺ − x⁻), not by the nominal 2ε.
/// </summary>
internal static class GradientCheck
{
    /// <summary>
    /// For every element (or a seeded sample of <paramref name="maxChecks"/> elements) of
    /// <paramref name="values"/>, perturbs it by ±<paramref name="eps"/>, re-evaluates
    /// <paramref name="loss"/>, and asserts |numeric − analytic| ≤ atol + rtol·|numeric|.
    /// </summary>
    public static void Check(
        string name, float[] values, ReadOnlySpan<float> analytic, Func<double> loss,
        float eps = 1e-2f, double atol = 1e-3, double rtol = 1e-2, int maxChecks = 400, int seed = 7,
        bool skipKinks = false)
    {
        if (analytic.Length != values.Length)
            throw new XunitException($"{name}: analytic gradient has {analytic.Length} elements; values have {values.Length}.");
        var indices = Enumerable.Range(0, values.Length).ToArray();
        if (indices.Length > maxChecks)
        {
            new SeededRandom(seed).Shuffle(indices.AsSpan());
            indices = indices[..maxChecks];
        }
        double worst = 0;
        string worstAt = "";
        int skipped = 0;
        foreach (int i in indices)
        {
            float orig = values[i];
            float plus = orig + eps, minus = orig - eps;
            values[i] = plus;
            double lp = loss();
            values[i] = minus;
            double lm = loss();
            values[i] = orig;
            double numeric = (lp - lm) / ((double)plus - minus);
            if (skipKinks)
            {
                // A piecewise-linear unit (relu) between x−ε and x+ε makes the one-sided slopes
                // disagree; such a point has no central difference to compare with.
                double l0 = loss();
                double right = (lp - l0) / ((double)plus - orig), left = (l0 - lm) / ((double)orig - minus);
                if (Math.Abs(right - left) > atol + rtol * Math.Abs(numeric))
                {
                    skipped++;
                    continue;
                }
            }
            double err = Math.Abs(numeric - analytic[i]);
            double allowed = atol + rtol * Math.Abs(numeric);
            if (err / allowed > worst)
            {
                worst = err / allowed;
                worstAt = $"index {i}: numeric {numeric:G6}, analytic {analytic[i]:G6}";
            }
        }
        if (skipped > Math.Max(2, indices.Length / 10))
            throw new XunitException($"{name}: {skipped} of {indices.Length} points straddle a kink; the check is not meaningful.");
        if (worst > 1)
            throw new XunitException($"{name}: gradient mismatch (worst {worst:F2}× the tolerance) at {worstAt}.");
    }

    /// <summary>A fixed random projection so that loss = Σ output ⊙ weights exercises every output.</summary>
    public static float[] RandomWeights(int n, int seed)
    {
        var r = new SeededRandom(seed);
        var w = new float[n];
        for (int i = 0; i < n; i++) w[i] = r.Uniform(-1f, 1f);
        return w;
    }

    /// <summary>Σ a·b in double.</summary>
    public static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (double)a[i] * b[i];
        return s;
    }

    /// <summary>A tensor of U(−scale, scale) values.</summary>
    public static Tensor RandomTensor(SeededRandom r, float scale, params int[] shape)
    {
        var t = Tensor.Zeros(shape);
        for (int i = 0; i < t.Length; i++) t.Span[i] = r.Uniform(-scale, scale);
        return t;
    }
}
