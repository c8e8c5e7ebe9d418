using Recur.Cli.Training;

namespace Recur.Cli.Prediction;

/// <summary>
/// One draw of the next character of <c>recur charlm sample</c> (and of <c>recur serve</c>'s
/// generation): p = softmax(logits / temperature), optionally kept to the <c>topK</c> most likely
/// characters, then the first character whose cumulative probability exceeds u ~ U[0, 1).
/// </summary>
internal static class CharSampling
{
    /// <param name="logits">(V) the logits of the next character.</param>
    /// <param name="temperature">Positive; below 1 sharpens the distribution.</param>
    /// <param name="topK">0 keeps every character; k keeps the k most likely (ties: the lower ids) and renormalises.</param>
    /// <param name="random">The generation's own random stream (one draw per character).</param>
    public static int Draw(ReadOnlySpan<float> logits, double temperature, int topK, SeededRandom random)
    {
        var scaled = new float[logits.Length];
        for (int j = 0; j < scaled.Length; j++) scaled[j] = (float)(logits[j] / temperature);
        var p = Evaluation.Softmax(scaled);
        if (topK > 0 && topK < p.Length)
        {
            // The k-th largest probability; everything below it (and later equal ones beyond k) drops out.
            var order = Enumerable.Range(0, p.Length).OrderByDescending(j => p[j]).ThenBy(j => j).ToArray();
            var keep = new bool[p.Length];
            double kept = 0;
            for (int i = 0; i < topK; i++)
            {
                keep[order[i]] = true;
                kept += p[order[i]];
            }
            for (int j = 0; j < p.Length; j++) p[j] = keep[j] ? p[j] / kept : 0;
        }
        double u = random.NextDouble(), cumulative = 0;
        for (int j = 0; j < p.Length; j++)
        {
            cumulative += p[j];
            if (u < cumulative && p[j] > 0) return j;
        }
        // Rounding left the cumulative sum just below u: the last character that may be drawn.
        for (int j = p.Length - 1; j > 0; j--) if (p[j] > 0) return j;
        return 0;
    }
}
