using Recur.Cli.Common;

namespace Recur.Cli.Data;

/// <summary>
/// Token ↔ id. Id 0 is padding (an <c>Embedding</c> with <c>maskZero</c> masks it), id 1 stands
/// for every token outside the vocabulary, ids 2… are the kept tokens, most frequent first.
/// </summary>
internal sealed class Vocabulary
{
    public const int Padding = 0, Unknown = 1;
    private readonly Dictionary<string, int> _ids;

    private Vocabulary(List<string> tokens)
    {
        Tokens = tokens;
        _ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < tokens.Count; i++) _ids.TryAdd(tokens[i], i + 2);
    }

    /// <summary>The kept tokens; token i has id i + 2.</summary>
    public IReadOnlyList<string> Tokens { get; }

    /// <summary>Number of ids, padding and unknown included.</summary>
    public int Size => Tokens.Count + 2;

    /// <summary>Keeps tokens seen at least <paramref name="minCount"/> times, at most <paramref name="maxSize"/> of them.</summary>
    public static Vocabulary Build(IEnumerable<IEnumerable<string>> texts, int minCount, int maxSize)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in texts)
            foreach (var token in text)
                counts[token] = counts.GetValueOrDefault(token) + 1;
        var kept = counts.Where(kv => kv.Value >= minCount)
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Take(maxSize).Select(kv => kv.Key).ToList();
        return new Vocabulary(kept);
    }

    public static Vocabulary FromTokens(IEnumerable<string> tokens) => new(tokens.ToList());

    public int Id(string token) => _ids.TryGetValue(token, out int id) ? id : Unknown;

    public int[] Ids(IReadOnlyList<string> tokens) => tokens.Select(Id).ToArray();

    /// <summary>Fraction of <paramref name="texts"/>' tokens that are outside the vocabulary.</summary>
    public double UnknownRate(IEnumerable<IEnumerable<string>> texts)
    {
        long all = 0, unknown = 0;
        foreach (var text in texts)
            foreach (var token in text)
            {
                all++;
                if (!_ids.ContainsKey(token)) unknown++;
            }
        return all == 0 ? 0 : (double)unknown / all;
    }

    public static void RequireOptions(int minCount, int maxSize)
    {
        CommonOptions.Positive("--min-count", minCount);
        CommonOptions.Positive("--max-vocab", maxSize);
    }
}
