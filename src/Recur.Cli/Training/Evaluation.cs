using Recur.Models;

namespace Recur.Cli.Training;

/// <summary>Loss and metrics of a model over batches of different shapes (bucketed sequences).</summary>
internal static class Evaluation
{
    /// <summary>
    /// Means of every quantity <see cref="Model.Evaluate"/> reports, weighted per batch by
    /// <paramref name="weight"/> (default: samples; for per-step targets pass the real steps).
    /// </summary>
    public static Dictionary<string, double> Run(Model model, IEnumerable<Batch> batches, Func<Batch, double>? weight = null)
    {
        var sums = new Dictionary<string, double>();
        double total = 0;
        foreach (var batch in batches)
        {
            double w = weight?.Invoke(batch) ?? batch.X.Size(0);
            if (w <= 0) continue;
            foreach (var (k, v) in model.Evaluate(batch.X, batch.Y, batchSize: batch.X.Size(0)))
                sums[k] = sums.GetValueOrDefault(k) + v * w;
            total += w;
        }
        return sums.ToDictionary(kv => kv.Key, kv => total == 0 ? double.NaN : kv.Value / total);
    }

    /// <summary>Real (non-zero) ids in a batch of padded sequences.</summary>
    public static double RealSteps(Batch batch)
    {
        int n = 0;
        foreach (float id in batch.X.Span) if (id != 0f) n++;
        return n;
    }

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
