using Recur.Cli.Common;

namespace Recur.Cli.Speech;

/// <summary>
/// The output classes of the recogniser: class 0 is the CTC blank, classes 1..K the tokens. When
/// every word of the training transcripts is one character (digits: "3 1 4"), the tokens are those
/// characters and a decoded sequence is joined with spaces; otherwise the tokens are characters,
/// the space among them.
/// </summary>
internal sealed class SpeechAlphabet
{
    public const string BlankName = "∅";

    public SpeechAlphabet(IReadOnlyList<string> tokens, bool wordsAreTokens)
    {
        Tokens = tokens;
        WordsAreTokens = wordsAreTokens;
        _index = tokens.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i + 1);
    }

    private readonly Dictionary<string, int> _index;

    /// <summary>The tokens of classes 1..K.</summary>
    public IReadOnlyList<string> Tokens { get; }

    public bool WordsAreTokens { get; }

    /// <summary>K + 1: the tokens and the blank.</summary>
    public int Classes => Tokens.Count + 1;

    public string Name(int cls) => cls == 0 ? BlankName : Tokens[cls - 1];

    public static SpeechAlphabet Build(IEnumerable<string> transcripts)
    {
        var list = transcripts.ToList();
        bool words = list.SelectMany(t => t.Split(' ', StringSplitOptions.RemoveEmptyEntries)).All(w => w.Length == 1);
        var chars = list.SelectMany(t => words ? t.Replace(" ", "") : t).Distinct().Select(c => c.ToString()).Order(StringComparer.Ordinal).ToList();
        if (chars.Count == 0) throw new InputException("the training transcripts hold no characters.");
        return new SpeechAlphabet(chars, words);
    }

    /// <summary>Class ids of a transcript; a character outside the alphabet is bad input, named with <paramref name="where"/>.</summary>
    public int[] Encode(string transcript, string where)
    {
        var text = WordsAreTokens ? transcript.Replace(" ", "") : transcript;
        var ids = new int[text.Length];
        for (int i = 0; i < text.Length; i++)
            if (!_index.TryGetValue(text[i].ToString(), out ids[i]))
                throw new InputException($"{where}: transcript \"{transcript}\" has '{text[i]}', which is not in the alphabet learned from the training transcripts ({string.Join(" ", Tokens)}).");
        return ids;
    }

    public string Decode(IEnumerable<int> labels)
        => string.Join(WordsAreTokens ? " " : "", labels.Select(l => Tokens[l - 1]));
}
