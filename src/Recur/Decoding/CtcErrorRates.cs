namespace Recur.Decoding;

/// <summary>
/// Error rates of transcripts (strings) against references: character error rate over the whole
/// strings (spaces included, as speech toolkits count it), word error rate over whitespace-separated
/// words, and the fraction of transcripts exactly right. All are corpus rates: edits summed over the
/// corpus divided by the summed reference length.
/// </summary>
public static class CtcErrorRates
{
    /// <summary>Σ Levenshtein over characters / Σ reference characters.</summary>
    public static double CharacterErrorRate(IReadOnlyList<string> references, IReadOnlyList<string> hypotheses)
        => EditDistance.ErrorRate(Check(references, hypotheses).Select(r => r.ToCharArray()).ToList(), hypotheses.Select(h => h.ToCharArray()).ToList());

    /// <summary>Σ Levenshtein over words / Σ reference words.</summary>
    public static double WordErrorRate(IReadOnlyList<string> references, IReadOnlyList<string> hypotheses)
        => EditDistance.ErrorRate(Check(references, hypotheses).Select(Words).ToList(), hypotheses.Select(Words).ToList());

    /// <summary>The fraction of hypotheses whose words equal their reference's words.</summary>
    public static double SentenceAccuracy(IReadOnlyList<string> references, IReadOnlyList<string> hypotheses)
    {
        Check(references, hypotheses);
        if (references.Count == 0) throw new ArgumentException("references is empty.", nameof(references));
        int right = 0;
        for (int i = 0; i < references.Count; i++) if (Words(references[i]).SequenceEqual(Words(hypotheses[i]))) right++;
        return (double)right / references.Count;
    }

    /// <summary>The words of a transcript: split on whitespace, empty entries dropped.</summary>
    public static string[] Words(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    private static IReadOnlyList<string> Check(IReadOnlyList<string> references, IReadOnlyList<string> hypotheses)
    {
        ArgumentNullException.ThrowIfNull(references);
        ArgumentNullException.ThrowIfNull(hypotheses);
        if (references.Count != hypotheses.Count)
            throw new ArgumentException($"hypotheses has {hypotheses.Count} transcripts; expected {references.Count}, one per reference.", nameof(hypotheses));
        return references;
    }
}
