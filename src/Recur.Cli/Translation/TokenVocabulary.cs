using Recur.Models.Seq2Seq;

namespace Recur.Cli.Translation;

/// <summary>
/// Token strings ↔ ids for an encoder–decoder: ids below <see cref="EncoderDecoder.FirstToken"/>
/// are reserved (padding, start, end, unknown); the tokens seen in training follow in ordinal order.
/// </summary>
internal sealed class TokenVocabulary
{
    private readonly Dictionary<string, int> _ids;

    public TokenVocabulary(IEnumerable<string> tokens)
    {
        Tokens = tokens.Distinct().Order(StringComparer.Ordinal).ToArray();
        _ids = Tokens.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i + EncoderDecoder.FirstToken, StringComparer.Ordinal);
    }

    /// <summary>The real tokens; token i has id i + <see cref="EncoderDecoder.FirstToken"/>.</summary>
    public string[] Tokens { get; }

    /// <summary>Ids including the reserved ones.</summary>
    public int Size => Tokens.Length + EncoderDecoder.FirstToken;

    public bool Contains(string token) => _ids.ContainsKey(token);

    /// <summary>The ids of <paramref name="tokens"/>; unknown tokens get <see cref="EncoderDecoder.Unknown"/>.</summary>
    public int[] Ids(IReadOnlyList<string> tokens) => tokens.Select(t => _ids.TryGetValue(t, out int id) ? id : EncoderDecoder.Unknown).ToArray();

    /// <summary>The token strings of <paramref name="ids"/> (reserved ids as &lt;unk&gt; and the like).</summary>
    public string[] Strings(IEnumerable<int> ids) => ids.Select(id => id >= EncoderDecoder.FirstToken && id < Size ? Tokens[id - EncoderDecoder.FirstToken]
        : id switch { EncoderDecoder.Unknown => "<unk>", EncoderDecoder.Start => "<s>", EncoderDecoder.End => "</s>", _ => "<pad>" }).ToArray();
}
