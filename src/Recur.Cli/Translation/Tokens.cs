using Recur.Cli.Common;

namespace Recur.Cli.Translation;

/// <summary>How a text becomes tokens: <c>char</c> (every character, spaces included) or <c>word</c> (split at white space).</summary>
internal static class Tokens
{
    public static readonly string[] Modes = ["char", "word"];

    public static string[] Split(string text, string mode) => mode switch
    {
        "char" => text.EnumerateRunes().Select(r => r.ToString()).ToArray(),
        "word" => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries),
        _ => throw new InputException($"--tokens is '{mode}'; expected one of: {string.Join(", ", Modes)}."),
    };

    /// <summary>Tokens back to text: concatenated for characters, space-separated for words.</summary>
    public static string Join(IEnumerable<string> tokens, string mode) => string.Join(mode == "char" ? "" : " ", tokens);
}
