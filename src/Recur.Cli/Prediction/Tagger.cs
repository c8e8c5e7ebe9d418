using Recur.Cli.Data;
using Recur.Cli.Tasks;
using Recur.Cli.Training;

namespace Recur.Cli.Prediction;

/// <summary>
/// The prediction half of <c>recur tag</c>: text → words (as the tokenizer splits them) → a tag
/// per word, the arg-max of the per-step logits. Several texts run as one padded batch (the
/// embedding masks padding id 0, so each row's tags are the ones it gets alone).
/// </summary>
internal sealed class Tagger
{
    private readonly TrainedModel _trained;
    private readonly Vocabulary _vocabulary;

    public Tagger(TrainedModel trained)
    {
        _trained = trained;
        _vocabulary = Vocabulary.FromTokens(trained.Strings("vocabulary"));
        Tags = trained.Strings("labels");
    }

    public IReadOnlyList<string> Tags { get; }

    /// <summary>The words of each text and their tags (both empty for a text without words).</summary>
    public (List<string> Words, string[] Tags)[] Tag(IReadOnlyList<string> texts)
    {
        var words = texts.Select(Tokenizer.Tokenize).ToList();
        var result = new (List<string>, string[])[texts.Count];
        var rows = Enumerable.Range(0, texts.Count).Where(i => words[i].Count > 0).ToArray();
        for (int i = 0; i < result.Length; i++) result[i] = (words[i], Array.Empty<string>());
        if (rows.Length == 0) return result;
        var ids = rows.Select(i => _vocabulary.Ids(words[i].Select(TagCommand.Key).ToList())).ToList();
        var logits = _trained.Model.PredictOnBatch(TextClassifier.PaddedIds(ids)); // (B, T, tags)
        var best = Evaluation.ArgMax(logits);
        int T = logits.Size(1);
        for (int r = 0; r < rows.Length; r++)
            result[rows[r]] = (words[rows[r]], Enumerable.Range(0, ids[r].Length).Select(t => Tags[best[r * T + t]]).ToArray());
        return result;
    }
}
