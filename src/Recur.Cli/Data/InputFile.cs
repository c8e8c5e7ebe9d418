using System.Text;
using Recur.Cli.Common;

namespace Recur.Cli.Data;

/// <summary>
/// Reads user text files with errors that name the file: missing, unreadable, empty, too large,
/// binary, or not valid UTF-8 (the line and byte of the first bad byte).
/// </summary>
/// <remarks>
/// Text is UTF-8 (a byte-order mark is skipped); a UTF-16 or UTF-32 file with a byte-order mark
/// is read as such. Invalid bytes are an error rather than U+FFFD: a Latin-1 file read as UTF-8
/// would otherwise train on damaged words without a word said. A file is read only up to
/// <see cref="Limits.MaxTextFileBytes"/>, and a NUL character (which text never holds) stops the
/// read at the chunk it is in, so <c>/dev/zero</c> or a binary file fails at once.
/// </remarks>
internal static class InputFile
{
    private const int Chunk = 1 << 16;

    /// <summary>The whole file as text; throws <see cref="InputException"/> when it cannot be used.</summary>
    public static string ReadText(string path, string option)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new InputException($"{option}: expected a file name.");
        if (Directory.Exists(path)) throw new InputException($"{option} {path}: is a directory; expected a file.");
        if (!File.Exists(path)) throw new InputException($"{option} {path}: file not found.");
        byte[] bytes;
        int length;
        try
        {
            (bytes, length) = ReadBounded(path, option);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{option} {path}: cannot be read ({e.Message}).");
        }
        return FromBytes(bytes, length, path);
    }

    /// <summary>
    /// Text from the first <paramref name="length"/> bytes of a file (what <see cref="ReadText"/>
    /// does once the bytes are read): NUL bytes and invalid encodings are errors, as is no text.
    /// </summary>
    internal static string FromBytes(byte[] bytes, int length, string path)
    {
        if (length == 0) throw new InputException($"{path}: the file is empty.");
        if (Bom(bytes.AsSpan(0, length)).Encoding is UTF8Encoding && bytes.AsSpan(0, length).IndexOf((byte)0) is >= 0 and int at)
            throw NulByte(path, bytes, at);
        string text = Decode(bytes, length, path);
        if (text.Length == 0) throw new InputException($"{path}: the file is empty.");
        return text;
    }

    private static InputException NulByte(string path, byte[] bytes, int at)
        => new($"{path} line {Lines(bytes.AsSpan(0, at))}: a NUL byte (byte {at:N0} of the file); the file is binary, not text.");

    /// <summary>The file's bytes (in a buffer of at least that length) and their count, read in chunks up to the limit.</summary>
    private static (byte[] Bytes, int Length) ReadBounded(string path, string option)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        // Devices and pipes report no length: their buffer grows as bytes arrive.
        long declared = stream.CanSeek ? stream.Length : 0;
        if (declared > Limits.MaxTextFileBytes) throw TooLarge(path, option, declared);
        var buffer = new byte[declared > 0 ? declared + 1 : Chunk];
        int filled = 0;
        bool checkNul = true;
        while (true)
        {
            if (filled == buffer.Length)
            {
                if (buffer.Length > Limits.MaxTextFileBytes) throw TooLarge(path, option, buffer.Length);
                Array.Resize(ref buffer, (int)Math.Min(Limits.MaxTextFileBytes + 1, 2L * buffer.Length));
            }
            int n = stream.Read(buffer, filled, Math.Min(Chunk, buffer.Length - filled));
            if (n == 0) break;
            // UTF-16 and UTF-32 text holds zero bytes; a UTF-8 file that holds one is binary.
            if (filled == 0) checkNul = Bom(buffer.AsSpan(0, n)).Encoding is UTF8Encoding;
            if (checkNul && buffer.AsSpan(filled, n).IndexOf((byte)0) is >= 0 and int at) throw NulByte(path, buffer, filled + at);
            filled += n;
            if (filled > Limits.MaxTextFileBytes) throw TooLarge(path, option, filled);
        }
        return (buffer, filled);
    }

    private static InputException TooLarge(string path, string option, long bytes)
        => new($"{option} {path}: the file is more than {Limits.MaxTextFileBytes:N0} bytes ({bytes:N0} read); " +
               "recur reads text files of at most that size.");

    /// <summary>Strict decoding: the first invalid byte is an error naming its line.</summary>
    private static string Decode(byte[] bytes, int length, string path)
    {
        var (encoding, skip) = Bom(bytes.AsSpan(0, length));
        try
        {
            return encoding.GetString(bytes, skip, length - skip);
        }
        catch (DecoderFallbackException e)
        {
            int at = skip + Math.Max(0, e.Index);
            string shown = e.BytesUnknown is { Length: > 0 } unknown ? string.Join(" ", unknown.Take(4).Select(b => $"0x{b:X2}")) : "?";
            string name = encoding is UTF8Encoding ? "UTF-8" : encoding.WebName.ToUpperInvariant();
            throw new InputException($"{path} line {Lines(bytes.AsSpan(0, Math.Min(at, length)))}: invalid {name} (bytes {shown} from byte {at:N0} of the file); " +
                                     "recur reads UTF-8 text: convert the file (e.g. iconv -f latin1 -t utf-8).");
        }
    }

    /// <summary>The strict encoding a byte-order mark announces (UTF-8 without one) and the mark's length.</summary>
    private static (Encoding Encoding, int Skip) Bom(ReadOnlySpan<byte> start) => start switch
    {
        [0xEF, 0xBB, 0xBF, ..] => (new UTF8Encoding(false, throwOnInvalidBytes: true), 3),
        [0xFF, 0xFE, 0x00, 0x00, ..] => (new UTF32Encoding(bigEndian: false, byteOrderMark: false, throwOnInvalidCharacters: true), 4),
        [0x00, 0x00, 0xFE, 0xFF, ..] => (new UTF32Encoding(bigEndian: true, byteOrderMark: false, throwOnInvalidCharacters: true), 4),
        [0xFF, 0xFE, ..] => (new UnicodeEncoding(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true), 2),
        [0xFE, 0xFF, ..] => (new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true), 2),
        _ => (new UTF8Encoding(false, throwOnInvalidBytes: true), 0),
    };

    /// <summary>The 1-based line a position is on: one more than the line feeds before it.</summary>
    private static int Lines(ReadOnlySpan<byte> before) => before.Count((byte)'\n') + 1;
}
