using System.Text;

namespace Recur.Cli.Data;

/// <summary>
/// Lower-cased words: text is split on white space, then punctuation at the start or end of a
/// word becomes its own token (<c>"(great!)"</c> → <c>( great ! )</c>); punctuation inside a word
/// stays (<c>don't</c>, <c>e-mail</c>, <c>n't</c>). Already tokenized text passes through unchanged.
/// </summary>
internal static class Tokenizer
{
    public static List<string> Tokenize(string text) => Tokens(text).ToList();

    /// <summary>
    /// The tokens one at a time, without a lower-cased copy of the text or an array of its words:
    /// a text of millions of words costs one word at a time.
    /// </summary>
    public static IEnumerable<string> Tokens(string text)
    {
        for (int i = 0; i < text.Length;)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            int from = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i])) i++;
            if (i == from) yield break;
            string word = text[from..i].ToLowerInvariant();
            int start = 0, end = word.Length;
            while (start < end && IsPunctuation(word[start]) && !IsClitic(word, start)) start++;
            while (end > start && IsPunctuation(word[end - 1])) end--;
            if (start == end)
            {
                yield return word; // all punctuation ("--", "...", ":)") is one token
                continue;
            }
            for (int k = 0; k < start; k++) yield return word[k].ToString();
            yield return word[start..end];
            for (int k = end; k < word.Length; k++) yield return word[k].ToString();
        }
    }

    private static bool IsPunctuation(char c) => char.IsPunctuation(c) || char.IsSymbol(c);

    /// <summary>An apostrophe that starts a clitic (<c>'s</c>, <c>'re</c>, <c>'ll</c>) stays with it.</summary>
    private static bool IsClitic(string word, int i)
        => word[i] is '\'' or '’' && i + 1 < word.Length && word[(i + 1)..].All(char.IsLetter);
}
