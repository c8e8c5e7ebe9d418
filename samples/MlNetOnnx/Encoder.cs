namespace MlNetOnnx;

/// <summary>
/// Text → ids exactly as <c>recur classify</c> encodes it: lower case, split at white space,
/// punctuation peeled off each end of a word as tokens of its own (a leading apostrophe before
/// letters stays: "'s"), 0 padding, 1 unknown, vocabulary[i] = i + 2, the last <see cref="MaxLength"/> tokens kept.
/// </summary>
public sealed class Encoder(string[] vocabulary, int maxLength)
{
    private const long Unknown = 1;
    private readonly Dictionary<string, long> _ids = Ids(vocabulary);

    /// <summary>The model's length limit: every ids row has this width.</summary>
    public int MaxLength { get; } = maxLength;

    /// <summary>(MaxLength) ids: the text's, then zeros.</summary>
    public long[] Encode(string text)
    {
        var ids = Tokens(text).Select(t => _ids.GetValueOrDefault(t, Unknown)).ToList();
        if (ids.Count == 0) ids.Add(Unknown);            // an empty text is one unknown step
        if (ids.Count > MaxLength) ids = ids[^MaxLength..];
        var row = new long[MaxLength];
        ids.CopyTo(row);
        return row;
    }

    /// <summary>0 is padding, 1 unknown; the vocabulary's tokens follow from 2 (the first of a repeated token wins).</summary>
    private static Dictionary<string, long> Ids(string[] vocabulary)
    {
        var ids = new Dictionary<string, long>(StringComparer.Ordinal);
        for (int i = 0; i < vocabulary.Length; i++) ids.TryAdd(vocabulary[i], i + 2);
        return ids;
    }

    private static IEnumerable<string> Tokens(string text)
    {
        static bool Punct(char c) => char.IsPunctuation(c) || char.IsSymbol(c);
        foreach (var word in text.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            int a = 0, b = word.Length;
            while (a < b && Punct(word[a]) && !(word[a] is '\'' or '’' && a + 1 < b && word[(a + 1)..].All(char.IsLetter))) a++;
            while (b > a && Punct(word[b - 1])) b--;
            if (a == b)
            {
                yield return word;
                continue;
            }
            foreach (char c in word[..a]) yield return c.ToString();
            yield return word[a..b];
            foreach (char c in word[b..]) yield return c.ToString();
        }
    }
}
