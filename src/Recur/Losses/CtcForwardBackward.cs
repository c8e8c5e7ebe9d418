namespace Recur.Losses;

/// <summary>
/// The CTC forward–backward recursion (Graves et al. 2006) for one item, in log space and double
/// precision, fused with the log-softmax of the logits.
/// </summary>
/// <remarks>
/// <para>Legend: T steps of this item, C classes, S labels, L = 2S + 1 positions of the extended
/// label l′ = (blank, l₁, blank, l₂, …, l_S, blank).</para>
/// <para>y_t = log_softmax(x_t). Forward: α₀(0) = y₀(blank), α₀(1) = y₀(l′₁), and
/// <c>α_t(s) = y_t(l′_s) + lse(α_{t−1}(s), α_{t−1}(s−1), [α_{t−1}(s−2) if l′_s ≠ blank and l′_s ≠ l′_{s−2}])</c>.
/// log p(l | x) = lse(α_{T−1}(L−1), α_{T−1}(L−2)).
/// Backward (β includes the emission at t, as α does): β_{T−1}(L−1) = y_{T−1}(blank),
/// β_{T−1}(L−2) = y_{T−1}(l_S), and
/// <c>β_t(s) = y_t(l′_s) + lse(β_{t+1}(s), β_{t+1}(s+1), [β_{t+1}(s+2) if l′_s ≠ blank and l′_s ≠ l′_{s+2}])</c>.</para>
/// <para>Occupancy γ_t(s) = exp(α_t(s) + β_t(s) − y_t(l′_s) − log p): the probability that the
/// alignment is at position s at step t. With ℓ = −log p and the softmax fused in,
/// <c>∂ℓ/∂x_t(c) = softmax(x_t)(c) − Σ_{s : l′_s = c} γ_t(s)</c> — the usual CTC gradient; computing
/// it on logits avoids the 1/p_t(c) of the gradient through probabilities.</para>
/// </remarks>
internal static class CtcForwardBackward
{
    /// <summary>
    /// −log p(labels | logits) and, when <paramref name="gradient"/> is not empty, ∂ℓ/∂logits.
    /// An impossible alignment returns +∞ and leaves the gradient to the caller.
    /// </summary>
    /// <param name="logits">(T, C) of this item, row-major.</param>
    /// <param name="classes">C.</param>
    /// <param name="labels">(S) class ids, none equal to <paramref name="blank"/>.</param>
    /// <param name="blank">The blank class.</param>
    /// <param name="gradient">(T, C) written with ∂ℓ/∂logits, or empty for the value only.</param>
    public static double Run(ReadOnlySpan<float> logits, int classes, ReadOnlySpan<int> labels, int blank, Span<float> gradient)
    {
        int T = logits.Length / classes, S = labels.Length, L = 2 * S + 1;
        if (T == 0) return S == 0 ? 0.0 : double.PositiveInfinity;
        var logProbs = LogSoftmax(logits, classes);    // (T, C)
        var ext = new int[L];                           // (L) l′
        for (int s = 0; s < L; s++) ext[s] = (s & 1) == 0 ? blank : labels[s >> 1];

        var alpha = new double[T * L];                  // (T, L)
        alpha.AsSpan().Fill(double.NegativeInfinity);
        alpha[0] = logProbs[blank];
        if (L > 1) alpha[1] = logProbs[ext[1]];
        for (int t = 1; t < T; t++)
        {
            var prev = alpha.AsSpan((t - 1) * L, L);
            var cur = alpha.AsSpan(t * L, L);
            for (int s = 0; s < L; s++)
            {
                double a = prev[s];
                if (s >= 1) a = LogAdd(a, prev[s - 1]);
                if (s >= 2 && ext[s] != blank && ext[s] != ext[s - 2]) a = LogAdd(a, prev[s - 2]);
                cur[s] = a + logProbs[t * classes + ext[s]];
            }
        }
        var last = alpha.AsSpan((T - 1) * L, L);
        double logLikelihood = L > 1 ? LogAdd(last[L - 1], last[L - 2]) : last[0];
        if (double.IsNegativeInfinity(logLikelihood)) return double.PositiveInfinity;
        if (gradient.IsEmpty) return -logLikelihood;

        var beta = new double[T * L];                   // (T, L)
        beta.AsSpan().Fill(double.NegativeInfinity);
        beta[(T - 1) * L + L - 1] = logProbs[(T - 1) * classes + blank];
        if (L > 1) beta[(T - 1) * L + L - 2] = logProbs[(T - 1) * classes + ext[L - 2]];
        for (int t = T - 2; t >= 0; t--)
        {
            var next = beta.AsSpan((t + 1) * L, L);
            var cur = beta.AsSpan(t * L, L);
            for (int s = 0; s < L; s++)
            {
                double b = next[s];
                if (s + 1 < L) b = LogAdd(b, next[s + 1]);
                if (s + 2 < L && ext[s] != blank && ext[s] != ext[s + 2]) b = LogAdd(b, next[s + 2]);
                cur[s] = b + logProbs[t * classes + ext[s]];
            }
        }

        // ∂ℓ/∂x_t(c) = softmax(x_t)(c) − Σ_{s: l′_s = c} γ_t(s), the sum taken in log space per class.
        var occupancy = new double[classes];            // (C) log Σ γ_t(s) per class
        for (int t = 0; t < T; t++)
        {
            occupancy.AsSpan().Fill(double.NegativeInfinity);
            for (int s = 0; s < L; s++)
            {
                int i = t * L + s;
                double logGamma = alpha[i] + beta[i] - logProbs[t * classes + ext[s]] - logLikelihood;
                occupancy[ext[s]] = LogAdd(occupancy[ext[s]], logGamma);
            }
            for (int c = 0; c < classes; c++)
                gradient[t * classes + c] = (float)(Math.Exp(logProbs[t * classes + c]) - Math.Exp(occupancy[c]));
        }
        return -logLikelihood;
    }

    /// <summary>Row-wise log-softmax in double: y = x − max − log Σ exp(x − max).</summary>
    private static double[] LogSoftmax(ReadOnlySpan<float> logits, int classes)
    {
        var y = new double[logits.Length];
        for (int row = 0; row < logits.Length; row += classes)
        {
            var x = logits.Slice(row, classes);
            double max = double.NegativeInfinity;
            foreach (float v in x) max = Math.Max(max, v);
            double sum = 0;
            foreach (float v in x) sum += Math.Exp(v - max);
            double logSum = max + Math.Log(sum);
            for (int c = 0; c < classes; c++) y[row + c] = x[c] - logSum;
        }
        return y;
    }

    private static double LogAdd(double a, double b) => Decoding.CtcLogits.LogAdd(a, b);
}
