using Recur.Cli.Common;

namespace Recur.Cli.Data;

/// <summary>Tokens → ids for the embedding: unknown tokens → 1, at most <paramref name="maxLength"/> ids (the last ones), never empty.</summary>
internal sealed class TextEncoder(Vocabulary vocabulary, int maxLength)
{
    public Vocabulary Vocabulary { get; } = vocabulary;
    public int MaxLength { get; } = maxLength;

    public int[] Encode(IReadOnlyList<string> tokens)
    {
        if (tokens.Count == 0) return new[] { Vocabulary.Unknown }; // an empty text still has one (unknown) step
        var ids = Vocabulary.Ids(tokens);
        return ids.Length > MaxLength ? ids[^MaxLength..] : ids;
    }

    /// <summary>The ids of the text's last <see cref="MaxLength"/> tokens, read one token at a time (a ring of MaxLength ids).</summary>
    public int[] Encode(string text)
    {
        var ring = new int[MaxLength];
        long count = 0;
        foreach (var token in Tokenizer.Tokens(text)) ring[count++ % MaxLength] = Vocabulary.Id(token);
        if (count == 0) return new[] { Vocabulary.Unknown }; // an empty text still has one (unknown) step
        if (count <= MaxLength) return ring[..(int)count];
        int first = (int)(count % MaxLength); // the oldest kept id
        return [.. ring[first..], .. ring[..first]];
    }

    /// <summary>Checks a maximum length given by the user: positive and at most <see cref="Limits.MaxSequenceLength"/>.</summary>
    public static void CheckMaxLength(int maxLength, string option)
    {
        if (maxLength <= 0 || maxLength > Limits.MaxSequenceLength)
            throw new InputException($"{option} is {maxLength}; expected 1 to {Limits.MaxSequenceLength:N0} tokens.");
    }
}
