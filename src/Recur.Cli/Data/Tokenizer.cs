using System.Text;

namespace Recur.Cli.Data;

/// <summary>
/// Lower-cased words: text is split on white space, then punctuation at the start or end of a
/// word becomes its own token (<c>"(great!)"</c> → <c>( great ! )</c>); punctuation inside a word
/// stays (<c>don't</c>, <c>e-mail</c>, <c>n't</c>). Already tokenized text passes through unchanged.
/// </summary>
internal static class Tokenizer
{
    public static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        foreach (var word in text.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            int start = 0, end = word.Length;
            while (start < end && IsPunctuation(word[start]) && !IsClitic(word, start)) start++;
            while (end > start && IsPunctuation(word[end - 1])) end--;
            if (start == end)
            {
                tokens.Add(word); // all punctuation ("--", "...", ":)") is one token
                continue;
            }
            for (int i = 0; i < start; i++) tokens.Add(word[i].ToString());
            tokens.Add(word[start..end]);
            for (int i = end; i < word.Length; i++) tokens.Add(word[i].ToString());
        }
        return tokens;
    }

    private static bool IsPunctuation(char c) => char.IsPunctuation(c) || char.IsSymbol(c);

    /// <summary>An apostrophe that starts a clitic (<c>'s</c>, <c>'re</c>, <c>'ll</c>) stays with it.</summary>
    private static bool IsClitic(string word, int i)
        => word[i] is '\'' or '’' && i + 1 < word.Length && word[(i + 1)..].All(char.IsLetter);
}
