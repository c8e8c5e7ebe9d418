namespace Recur.Cli.Training;

/// <summary>Reading a model's outputs: the most likely class, probabilities.</summary>
internal static class Evaluation
{
    /// <summary>Index of the largest value of each row of (N, C) logits.</summary>
    public static int[] ArgMax(Tensor logits)
    {
        int C = logits.Size(-1), N = logits.Length / C;
        var result = new int[N];
        var s = logits.Span;
        for (int i = 0; i < N; i++)
        {
            int best = 0;
            for (int j = 1; j < C; j++) if (s[i * C + j] > s[i * C + best]) best = j;
            result[i] = best;
        }
        return result;
    }

    /// <summary>Softmax of one row of logits.</summary>
    public static double[] Softmax(ReadOnlySpan<float> logits)
    {
        double max = double.NegativeInfinity;
        foreach (var v in logits) max = Math.Max(max, v);
        var p = new double[logits.Length];
        double sum = 0;
        for (int i = 0; i < p.Length; i++) sum += p[i] = Math.Exp(logits[i] - max);
        for (int i = 0; i < p.Length; i++) p[i] /= sum;
        return p;
    }
}
