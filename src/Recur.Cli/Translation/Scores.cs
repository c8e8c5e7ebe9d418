using Recur.Decoding;

namespace Recur.Cli.Translation;

/// <summary>
/// Word (item) and token error rates of predictions against items with several acceptable
/// targets: WER = share of items whose prediction equals none of them; PER (phoneme, or token,
/// error rate) = Σ edit distance to the closest target / Σ that target's length.
/// </summary>
internal static class Scores
{
    public static (double Wer, double Per) Of(IReadOnlyList<PairItem> items, IReadOnlyList<string[]> predictions)
    {
        if (items.Count != predictions.Count) throw new ArgumentException($"{predictions.Count} predictions for {items.Count} items.", nameof(predictions));
        if (items.Count == 0) return (double.NaN, double.NaN);
        int wrong = 0;
        long distance = 0, length = 0;
        for (int i = 0; i < items.Count; i++)
        {
            var (d, n) = EditDistance.Closest<string>(items[i].Targets, predictions[i]);
            if (d != 0) wrong++;
            distance += d;
            length += n;
        }
        return ((double)wrong / items.Count, length == 0 ? double.NaN : (double)distance / length);
    }
}
