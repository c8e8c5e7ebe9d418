using System.Text;
using Recur.Cli.Common;

namespace Recur.Cli.Data;

/// <summary>Reads user files with errors that name the file: missing, unreadable, empty.</summary>
internal static class InputFile
{
    /// <summary>The whole file as text (UTF-8, BOM honoured); throws <see cref="InputException"/> when missing or empty.</summary>
    public static string ReadText(string path, string option)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new InputException($"{option}: expected a file name.");
        if (Directory.Exists(path)) throw new InputException($"{option} {path}: is a directory; expected a file.");
        if (!File.Exists(path)) throw new InputException($"{option} {path}: file not found.");
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{option} {path}: cannot be read ({e.Message}).");
        }
        if (text.Length == 0) throw new InputException($"{path}: the file is empty.");
        return text;
    }
}
