using Recur.Cli.Data;
using Recur.Cli.Tasks;
using Recur.Cli.Training;

namespace Recur.Cli.Prediction;

/// <summary>A class label and the softmax probability of every class, in the model's label order.</summary>
internal sealed record ClassScores(string Label, double Probability, double[] Probabilities);

/// <summary>
/// The prediction half of <c>recur classify</c>: text → lowercase words → ids (the last
/// <c>max_length</c>) → logits → softmax. <c>recur predict</c> and <c>recur serve</c> both call
/// <see cref="Classify"/>, so they give the same label and probabilities.
/// </summary>
/// <remarks>
/// Several texts go through the network as one padded batch (B, T_max) of ids, padding id 0;
/// the embedding's <c>maskZero</c> masks the padding, so every row gets exactly the logits it gets
/// alone: the forward direction keeps its state over the padding, the backward direction starts at
/// the row's last real word, and max pooling skips masked steps. The rows go in longest first, so
/// that at each step the padded rows are at the end of the batch, where the time loop skips them.
/// </remarks>
internal sealed class TextClassifier
{
    private readonly TrainedModel _trained;

    public TextClassifier(TrainedModel trained)
    {
        _trained = trained;
        // At most the last MaxSequenceLength tokens whatever task.json says.
        Encoder = new TextEncoder(Vocabulary.FromTokens(trained.Strings("vocabulary")), Math.Min(trained.Int("max_length", min: 1), Limits.MaxSequenceLength));
        Labels = trained.Strings("labels");
    }

    public TextEncoder Encoder { get; }

    public IReadOnlyList<string> Labels { get; }

    /// <summary>The label and probabilities of each text, computed as one batch.</summary>
    public ClassScores[] Classify(IReadOnlyList<string> texts)
    {
        var ids = texts.Select(Encoder.Encode).ToList();
        // Longest first: at each step the padded rows are then the last ones of the batch, which
        // the recurrent layers skip (each row's logits are the same in any order).
        int[] order = LongestFirst(ids);
        var logits = _trained.Model.PredictOnBatch(PaddedIds(order.Select(i => ids[i]).ToList())); // (B, classes), rows in that order
        int C = Labels.Count;
        var result = new ClassScores[texts.Count];
        for (int row = 0; row < result.Length; row++)
        {
            var p = Evaluation.Softmax(logits.Span.Slice(row * C, C));
            int best = Array.IndexOf(p, p.Max());
            result[order[row]] = new ClassScores(Labels[best], p[best], p);
        }
        return result;
    }

    /// <summary>The indices of <paramref name="rows"/> by decreasing length (ties in their order).</summary>
    internal static int[] LongestFirst(IReadOnlyList<int[]> rows)
        => Enumerable.Range(0, rows.Count).OrderByDescending(i => rows[i].Length).ToArray();

    /// <summary>(B, T_max) ids, each row padded at the end with <see cref="Vocabulary.Padding"/>.</summary>
    internal static Tensor PaddedIds(IReadOnlyList<int[]> rows)
    {
        int T = rows.Max(r => r.Length);
        var x = Tensor.Zeros(rows.Count, T);
        for (int b = 0; b < rows.Count; b++)
            for (int t = 0; t < rows[b].Length; t++) x.Span[b * T + t] = rows[b][t];
        return x;
    }
}
