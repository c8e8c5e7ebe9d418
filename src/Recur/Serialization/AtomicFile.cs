namespace Recur.Serialization;

/// <summary>
/// Replaces a file only once its new content is completely on disk: the content goes to a
/// temporary file in the same directory (same volume, so the final move is a rename), which is
/// flushed and then moved over the target. A failure at any point leaves the old file as it was
/// and removes the temporary file.
/// </summary>
/// <remarks>
/// Readers see either the old or the new content, never a mix or a prefix: the rename replaces the
/// directory entry in one step, and the data is on disk before it. The temporary file is named
/// <c>.NAME.GUID.tmp</c>, so concurrent writers of one path never share one.
/// </remarks>
/// <example>
/// <code>
/// AtomicFile.Write("notes.txt", stream => stream.Write("done\n"u8));
/// </code>
/// </example>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, atomically.</summary>
    /// <param name="path">The target file; its directory must exist.</param>
    /// <param name="write">Writes the whole content to the stream it is given (do not dispose it).</param>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)!;
        string temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/>, atomically.</summary>
    public static void WriteAllBytes(string path, ReadOnlyMemory<byte> bytes)
        => Write(path, stream => stream.Write(bytes.Span));
}
