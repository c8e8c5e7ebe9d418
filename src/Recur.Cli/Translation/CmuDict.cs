using System.Text;
using System.Text.RegularExpressions;
using Recur.Cli.Common;

namespace Recur.Cli.Translation;

/// <summary>
/// CMUdict 0.4 in Festival's lexicon format (Debian's <c>festlex-cmu</c>), read for
/// grapheme-to-phoneme conversion, and the split every tool scores on.
/// </summary>
/// <remarks>
/// <para>Format: Latin-1; a first line <c>MNCL</c>, then one entry per line,
/// <c>("word" pos (((ph ph) stress) ((ph) stress) …))</c>: syllables with their stress digit.</para>
/// <para>Reading: only words of the letters a–z; the syllable brackets and stress digits are
/// dropped, leaving phonemes (<c>aardvark</c> → <c>aa r d v aa r k</c>); a word listed several
/// times (one line per part of speech) is one item with its distinct pronunciations.</para>
/// <para>Split: the distinct words in ordinal (byte) order; word i is test when i % 20 == 0,
/// dev when i % 20 == 1, train otherwise (105,538 words: 5,277 test, 5,277 dev).</para>
/// </remarks>
internal static partial class CmuDict
{
    /// <summary>The number of test words of the split of the bundled dictionary.</summary>
    public const int TestWords = 5277;

    /// <summary>The items of the dictionary in ordinal order of their words.</summary>
    /// <exception cref="InputException">The file is missing or an entry is malformed (file and line named).</exception>
    public static List<PairItem> Read(string path)
    {
        if (!File.Exists(path)) throw new InputException($"{path}: file not found (the CMUdict lexicon in Festival's format).");
        var words = new SortedDictionary<string, List<string[]>>(StringComparer.Ordinal);
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path, Encoding.Latin1))
        {
            lineNumber++;
            if (lineNumber == 1 && line.Trim() == "MNCL") continue;
            if (line.Trim().Length == 0) continue;
            var (word, phones) = ParseEntry(line) ?? throw new InputException($"{path}:{lineNumber}: expected an entry (\"word\" pos (((phonemes) stress) …)); got '{Shorten(line)}'.");
            if (!IsLowerLatin(word)) continue;
            if (phones.Length == 0) throw new InputException($"{path}:{lineNumber}: '{word}' has no phoneme.");
            if (!words.TryGetValue(word, out var list)) words[word] = list = new List<string[]>();
            if (!list.Any(p => p.AsSpan().SequenceEqual(phones))) list.Add(phones);
        }
        if (words.Count == 0) throw new InputException($"{path}: no entry of letters a–z.");
        return words.Select(w => new PairItem(w.Key.Select(c => c.ToString()).ToArray(), w.Value)).ToList();
    }

    /// <summary>Which part of the split item <paramref name="index"/> (in ordinal order) belongs to.</summary>
    public static SplitPart PartOf(int index) => (index % 20) switch { 0 => SplitPart.Test, 1 => SplitPart.Dev, _ => SplitPart.Train };

    /// <summary>The word and its phonemes, or null when the line is not an entry.</summary>
    internal static (string Word, string[] Phones)? ParseEntry(string line)
    {
        var m = Entry().Match(line);
        if (!m.Success) return null;
        var phones = new List<string>();
        foreach (Capture syllable in m.Groups["syllable"].Captures)
            foreach (var p in syllable.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                phones.Add(StripStress(p));
        return (m.Groups["word"].Value, phones.ToArray());
    }

    // ("word" pos (((ph ph) 1) ((ph) 0))): each syllable "((phonemes) stress)".
    [GeneratedRegex(@"^\(""(?<word>[^""]*)"" \S+ \((?:\(\((?<syllable>[^()]*)\) \d\)\s*)*\)\)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex Entry();

    private static string StripStress(string phone) => phone.TrimEnd('0', '1', '2');

    private static bool IsLowerLatin(string word)
    {
        if (word.Length == 0) return false;
        foreach (char c in word)
            if (c is < 'a' or > 'z') return false;
        return true;
    }

    private static string Shorten(string line) => line.Length <= 60 ? line : line[..60] + "…";
}

/// <summary>The three parts of a data split.</summary>
internal enum SplitPart
{
    /// <summary>Trained on.</summary>
    Train,

    /// <summary>Held out for model selection.</summary>
    Dev,

    /// <summary>Held out for the reported score.</summary>
    Test,
}
