using Recur.Cli.Common;

namespace Recur.Cli.Data;

/// <summary>
/// A text as character ids for a character language model: the alphabet is every distinct
/// character of the text (ordinal order); the last <c>valFraction</c> of it is held out.
/// </summary>
internal sealed class CharText
{
    private readonly Dictionary<char, int> _ids;

    public CharText(string alphabet)
    {
        Alphabet = alphabet;
        _ids = alphabet.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
    }

    /// <summary>The characters, id order.</summary>
    public string Alphabet { get; }

    public static CharText FromText(string text) => new(new string(text.Distinct().Order().ToArray()));

    public bool Contains(char c) => _ids.ContainsKey(c);

    public int Id(char c) => _ids[c];

    public int[] Encode(string text) => text.Select(c => _ids[c]).ToArray();

    /// <summary>Reads a text file for training; errors on a missing, empty or one-character file.</summary>
    public static string Read(string path)
    {
        string text = InputFile.ReadText(path, "--text");
        if (text.Length < 4) throw new InputException($"{path}: {text.Length} characters; a language model needs some text to learn from.");
        return text;
    }
}
