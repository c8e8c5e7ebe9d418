using Recur.Cli.Common;

namespace Recur.Cli.Data;

/// <summary>One sentence: its word forms and their universal part-of-speech tags.</summary>
internal sealed record TaggedSentence(int Line, string[] Forms, string[] Tags);

/// <summary>
/// Reads CoNLL-U (Universal Dependencies): ten tab-separated fields per word line, FORM in
/// field 2 and UPOS in field 4; <c>#</c> lines are comments and a blank line ends a sentence.
/// Multiword-token ranges (<c>1-2</c>) and empty nodes (<c>8.1</c>) are skipped.
/// </summary>
internal static class ConllU
{
    public static List<TaggedSentence> Read(string path, string option) => Parse(InputFile.ReadText(path, option), path);

    /// <summary>The sentences of a CoNLL-U text; <paramref name="path"/> names it in messages.</summary>
    internal static List<TaggedSentence> Parse(string text, string path)
    {
        var sentences = new List<TaggedSentence>();
        var forms = new List<string>();
        var tags = new List<string>();
        int start = 0, lineNo = 0;
        void End()
        {
            if (forms.Count > Limits.MaxSequenceLength)
                throw new InputException($"{path} line {start}: the sentence has {forms.Count:N0} words; recur tags sentences of at most {Limits.MaxSequenceLength:N0} " +
                                         "(is a blank line between sentences missing?).");
            if (forms.Count > 0) sentences.Add(new TaggedSentence(start, forms.ToArray(), tags.ToArray()));
            forms.Clear();
            tags.Clear();
        }
        foreach (var raw in text.Split('\n'))
        {
            lineNo++;
            var line = raw.TrimEnd('\r');
            if (line.Trim().Length == 0) { End(); continue; }
            if (line.StartsWith('#')) continue;
            var fields = line.Split('\t');
            if (fields.Length != 10)
                throw new InputException($"{path} line {lineNo}: {fields.Length} tab-separated field{(fields.Length == 1 ? "" : "s")}; CoNLL-U word lines have 10 (ID FORM LEMMA UPOS XPOS FEATS HEAD DEPREL DEPS MISC).");
            string id = fields[0];
            if (id.Contains('-') || id.Contains('.')) continue;
            if (!int.TryParse(id, out _)) throw new InputException($"{path} line {lineNo}: ID \"{Limits.Quote(id)}\" is not a word index.");
            if (fields[1].Length == 0 || fields[3].Length == 0 || fields[3] == "_")
                throw new InputException($"{path} line {lineNo}: a word line needs a FORM (field 2) and a UPOS tag (field 4).");
            if (forms.Count == 0) start = lineNo;
            forms.Add(fields[1]);
            tags.Add(fields[3]);
        }
        End();
        if (sentences.Count == 0) throw new InputException($"{path}: no sentences (expected CoNLL-U word lines).");
        return sentences;
    }
}
