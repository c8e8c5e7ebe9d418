using System.IO.Compression;

namespace Recur.Serialization;

/// <summary>
/// The arrays of a NumPy <c>.npz</c> archive (a zip of <c>.npy</c> files, stored or deflated),
/// converted to float32 tensors.
/// </summary>
/// <remarks>
/// <para>Made for importing Keras weights: <c>numpy.savez(path, *model.get_weights())</c> stores
/// them as <c>arr_0</c>, <c>arr_1</c>, …; <see cref="ArraysByNumericSuffix"/> returns them in that
/// numeric order even when the archive lists them otherwise.</para>
/// <para>Element types f2/f4/f8, i1–i8, u1–u8 and b1 are read in either byte order; Fortran-order
/// arrays are transposed to row-major. Object arrays are refused: nothing is ever unpickled.</para>
/// </remarks>
/// <example>
/// <code>
/// var npz = NpzFile.Read("lstm_weights.npz");
/// Tensor kernel = npz.ArraysByNumericSuffix[0].Value;   // (I, 4H) in Keras layout
/// </code>
/// </example>
public sealed class NpzFile
{
    private readonly Dictionary<string, Tensor> _byName;

    private NpzFile(List<KeyValuePair<string, Tensor>> arrays, string source)
    {
        Source = source;
        Arrays = arrays;
        Names = arrays.Select(a => a.Key).ToArray();
        _byName = arrays.ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
        ArraysByNumericSuffix = arrays.OrderBy(a => a.Key, NumericSuffixComparer.Instance).ToArray();
    }

    /// <summary>The file path or caller-given name the archive was read from.</summary>
    public string Source { get; }

    /// <summary>Array names (entry names without <c>.npy</c>) in the archive's order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The arrays in the archive's order.</summary>
    public IReadOnlyList<KeyValuePair<string, Tensor>> Arrays { get; }

    /// <summary>
    /// The arrays ordered by name with a trailing number compared numerically
    /// (<c>arr_2</c> before <c>arr_10</c>); names without one come before numbered names of the same stem.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, Tensor>> ArraysByNumericSuffix { get; }

    /// <summary>True when the archive holds an array called <paramref name="name"/>.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>The array called <paramref name="name"/> (not copied).</summary>
    /// <exception cref="KeyNotFoundException">No such array; the message lists the available names.</exception>
    public Tensor Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_byName.TryGetValue(name, out var t)) return t;
        throw new KeyNotFoundException($"{Source} has no array '{name}'. Available arrays: " +
            (Names.Count == 0 ? "(none)" : string.Join(", ", Names.Select(n => $"'{n}'"))) + ".");
    }

    /// <summary>Reads the archive at <paramref name="path"/>.</summary>
    /// <exception cref="NpzFormatException">The archive or an array in it is malformed or unsupported.</exception>
    public static NpzFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads an archive from <paramref name="stream"/>; <paramref name="sourceName"/> names it in errors.</summary>
    /// <remarks>
    /// The decompressed entries may total at most <see cref="Limits.MaxNpzInflation"/> × the
    /// archive's size (at least <see cref="Limits.NpzInflationFloorBytes"/>), each entry is read
    /// into a buffer of the size the zip directory declares only once that size is within what is
    /// left, and must decompress to exactly that size and its CRC-32; a stream that cannot seek is
    /// first read into memory, up to <see cref="Limits.MaxInMemoryFileBytes"/>.
    /// </remarks>
    /// <exception cref="NpzFormatException">The archive or an array in it is malformed or unsupported.</exception>
    public static NpzFile Read(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        using var seekable = stream.CanSeek ? null : CopyBounded(stream, sourceName);
        var source = seekable ?? stream;
        long archiveBytes = source.Length - source.Position;
        long budget = Math.Min(Limits.MaxInMemoryFileBytes,
            Math.Max(Limits.NpzInflationFloorBytes, Limits.MaxNpzInflation * archiveBytes));
        try
        {
            // ZipArchive reads the central directory lazily, so corruption can surface on Entries too.
            using var zip = new ZipArchive(source, ZipArchiveMode.Read, leaveOpen: true);
            if (zip.Entries.Count > Limits.MaxNpzEntries)
                throw new NpzFormatException(sourceName, $"the archive has {zip.Entries.Count:N0} entries; Recur reads at most {Limits.MaxNpzEntries:N0}.");
            return new NpzFile(ReadArrays(zip.Entries, sourceName, archiveBytes, budget), sourceName);
        }
        catch (InvalidDataException e)
        {
            throw new NpzFormatException(sourceName, $"not a valid zip archive ({e.Message}). An .npz file is a zip of .npy arrays.", e);
        }
    }

    /// <summary>A non-seekable stream in memory, read only as far as <see cref="Limits.MaxInMemoryFileBytes"/>.</summary>
    private static MemoryStream CopyBounded(Stream stream, string sourceName)
    {
        var copy = new MemoryStream();
        var chunk = new byte[81920];
        int n;
        while ((n = stream.Read(chunk)) > 0)
        {
            if (copy.Length + n > Limits.MaxInMemoryFileBytes)
                throw new NpzFormatException(sourceName, $"the archive is larger than the {Limits.MaxInMemoryFileBytes} bytes Recur reads into memory.");
            copy.Write(chunk, 0, n);
        }
        copy.Position = 0;
        return copy;
    }

    private static List<KeyValuePair<string, Tensor>> ReadArrays(IEnumerable<ZipArchiveEntry> entries, string sourceName, long archiveBytes, long budget)
    {
        var arrays = new List<KeyValuePair<string, Tensor>>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        long used = 0;
        foreach (var entry in entries)
        {
            if (entry.FullName.EndsWith('/')) continue; // directory record
            Exception Fail(string problem) => new NpzFormatException(sourceName, $"entry '{Limits.Quote(entry.FullName)}': {problem}");
            if (!entry.FullName.EndsWith(".npy", StringComparison.Ordinal))
                throw Fail("not a .npy array; an .npz archive should hold only .npy entries.");
            string name = entry.FullName[..^4];
            if (!names.Add(name)) throw Fail("the archive holds this entry twice.");
            if (entry.Length > budget - used)
                throw Fail($"declares {entry.Length:N0} decompressed bytes, which with the {used:N0} bytes before it is more than the " +
                           $"{budget:N0} bytes Recur reads from an archive of {archiveBytes:N0} bytes " +
                           $"({Limits.MaxNpzInflation}× its size, at least {Limits.NpzInflationFloorBytes:N0}). The archive is corrupt or a decompression bomb.");
            byte[] bytes;
            try
            {
                bytes = ReadEntry(entry, Fail);
            }
            catch (InvalidDataException e)
            {
                throw Fail($"cannot decompress ({e.Message}).");
            }
            used += bytes.Length;
            arrays.Add(KeyValuePair.Create(name, NpyReader.Read(bytes, Fail)));
        }
        return arrays;
    }

    /// <summary>
    /// Reads an entry whole into a buffer of the size the zip directory declares (the caller has
    /// checked it against the budget); the entry must fill it exactly and match its CRC-32.
    /// </summary>
    private static byte[] ReadEntry(ZipArchiveEntry entry, Func<string, Exception> fail)
    {
        long declared = entry.Length;
        if (declared > Limits.MaxInMemoryFileBytes)
            throw fail($"declared size {declared} bytes is more than Recur reads into memory.");
        using var input = entry.Open();
        var buffer = new byte[declared];
        int filled = 0, n;
        while (filled < buffer.Length && (n = input.Read(buffer, filled, buffer.Length - filled)) > 0) filled += n;
        if (filled < declared)
            throw fail($"holds {filled} bytes but the zip directory declares {declared}; the archive is truncated or corrupt.");
        if (input.ReadByte() >= 0)
            throw fail($"decompresses to more than the {declared} bytes the zip directory declares; the archive is corrupt.");
        uint crc = Crc32.Compute(buffer);
        if (crc != entry.Crc32)
            throw fail($"its CRC-32 is {crc:X8} but the zip directory records {entry.Crc32:X8}; the archive is corrupt.");
        return buffer;
    }

    /// <summary>Orders <c>stem</c> + trailing digits by stem (ordinal), then by the number's value.</summary>
    private sealed class NumericSuffixComparer : IComparer<string>
    {
        public static readonly NumericSuffixComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            var (xs, xd) = Split(x!);
            var (ys, yd) = Split(y!);
            int c = string.CompareOrdinal(xs, ys);
            if (c != 0) return c;
            if (xd.Length == 0 || yd.Length == 0) return xd.Length.CompareTo(yd.Length); // unnumbered first
            // Digit strings compare as numbers of any length: fewer significant digits is smaller.
            string xt = xd.TrimStart('0'), yt = yd.TrimStart('0');
            c = xt.Length.CompareTo(yt.Length);
            if (c == 0) c = string.CompareOrdinal(xt, yt);
            return c != 0 ? c : xd.Length.CompareTo(yd.Length);
        }

        private static (string Stem, string Digits) Split(string name)
        {
            int i = name.Length;
            while (i > 0 && char.IsAsciiDigit(name[i - 1])) i--;
            return (name[..i], name[i..]);
        }
    }
}
