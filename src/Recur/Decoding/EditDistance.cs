namespace Recur.Decoding;

/// <summary>
/// Levenshtein distance between token sequences, and the error rates built on it (word error
/// rate, phoneme or character error rate).
/// </summary>
/// <remarks>
/// The distance is the least number of substitutions, insertions and deletions (each costing 1)
/// that turn one sequence into the other. Computed by the usual dynamic programme over one row:
/// d[i, j] = min(d[i−1, j] + 1, d[i, j−1] + 1, d[i−1, j−1] + [a_i ≠ b_j]), O(|a|·|b|) time and
/// O(|b|) memory.
/// </remarks>
public static class EditDistance
{
    /// <summary>The Levenshtein distance between <paramref name="a"/> and <paramref name="b"/>.</summary>
    public static int Levenshtein<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b) where T : IEquatable<T>
    {
        if (a.Length == 0) return b.Length;
        if (b.Length == 0) return a.Length;
        // row[j] = d[i, j] for the current i; diagonal holds d[i−1, j−1].
        Span<int> row = b.Length < 256 ? stackalloc int[b.Length + 1] : new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) row[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                int substitute = diagonal + (a[i - 1].Equals(b[j - 1]) ? 0 : 1);
                row[j] = Math.Min(substitute, Math.Min(above, row[j - 1]) + 1);
                diagonal = above;
            }
        }
        return row[b.Length];
    }

    /// <summary>
    /// The error rate of a set of hypotheses: Σ distance(reference, hypothesis) / Σ |reference|
    /// (word error rate over words, phoneme error rate over phonemes, and so on).
    /// </summary>
    /// <exception cref="ArgumentException">The lists differ in length, or the references hold no token.</exception>
    public static double ErrorRate<T>(IReadOnlyList<T[]> references, IReadOnlyList<T[]> hypotheses) where T : IEquatable<T>
    {
        ArgumentNullException.ThrowIfNull(references);
        ArgumentNullException.ThrowIfNull(hypotheses);
        if (references.Count != hypotheses.Count)
            throw new ArgumentException($"hypotheses has {hypotheses.Count} items; expected {references.Count}, one per reference.", nameof(hypotheses));
        long errors = 0, length = 0;
        for (int i = 0; i < references.Count; i++)
        {
            errors += Levenshtein<T>(references[i], hypotheses[i]);
            length += references[i].Length;
        }
        if (length == 0) throw new ArgumentException("references hold no token; the error rate is undefined.", nameof(references));
        return (double)errors / length;
    }

    /// <summary>
    /// The distance from <paramref name="hypothesis"/> to the closest of several acceptable
    /// references, and that reference's length (what an error rate over items with alternative
    /// answers, such as several pronunciations of a word, adds up). Ties go to the shorter reference.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="references"/> is empty.</exception>
    public static (int Distance, int ReferenceLength) Closest<T>(IReadOnlyList<T[]> references, ReadOnlySpan<T> hypothesis) where T : IEquatable<T>
    {
        ArgumentNullException.ThrowIfNull(references);
        if (references.Count == 0) throw new ArgumentException("references is empty; expected at least one reference.", nameof(references));
        int best = int.MaxValue, bestLength = 0;
        foreach (var r in references)
        {
            int d = Levenshtein<T>(r, hypothesis);
            if (d < best || (d == best && r.Length < bestLength))
            {
                best = d;
                bestLength = r.Length;
            }
        }
        return (best, bestLength);
    }
}
