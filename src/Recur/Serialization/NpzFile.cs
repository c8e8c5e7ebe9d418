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

    /// <summary>Reads an archive from a seekable <paramref name="stream"/>; <paramref name="sourceName"/> names it in errors.</summary>
    /// <exception cref="NpzFormatException">The archive or an array in it is malformed or unsupported.</exception>
    public static NpzFile Read(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        try
        {
            // ZipArchive reads the central directory lazily, so corruption can surface on Entries too.
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            return new NpzFile(ReadArrays(zip.Entries, sourceName), sourceName);
        }
        catch (InvalidDataException e)
        {
            throw new NpzFormatException(sourceName, $"not a valid zip archive ({e.Message}). An .npz file is a zip of .npy arrays.", e);
        }
    }

    private static List<KeyValuePair<string, Tensor>> ReadArrays(IEnumerable<ZipArchiveEntry> entries, string sourceName)
    {
        var arrays = new List<KeyValuePair<string, Tensor>>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (entry.FullName.EndsWith('/')) continue; // directory record
            Exception Fail(string problem) => new NpzFormatException(sourceName, $"entry '{entry.FullName}': {problem}");
            if (!entry.FullName.EndsWith(".npy", StringComparison.Ordinal))
                throw Fail("not a .npy array; an .npz archive should hold only .npy entries.");
            string name = entry.FullName[..^4];
            if (!names.Add(name)) throw Fail("the archive holds this entry twice.");
            byte[] bytes;
            try
            {
                bytes = ReadEntry(entry, Fail);
            }
            catch (InvalidDataException e)
            {
                throw new NpzFormatException(sourceName, $"entry '{entry.FullName}': cannot decompress ({e.Message}).", e);
            }
            arrays.Add(KeyValuePair.Create(name, NpyReader.Read(bytes, Fail)));
        }
        return arrays;
    }

    /// <summary>
    /// Reads an entry whole. The buffer grows only as decompressed bytes arrive, and reading stops
    /// past the size the zip directory declares, so a forged size cannot force a huge allocation.
    /// </summary>
    private static byte[] ReadEntry(ZipArchiveEntry entry, Func<string, Exception> fail)
    {
        long declared = entry.Length;
        if (declared > Array.MaxLength)
            throw fail($"declared size {declared} bytes is more than Recur reads into memory.");
        using var input = entry.Open();
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int n;
        while ((n = input.Read(chunk)) > 0)
        {
            if (buffer.Length + n > declared)
                throw fail($"decompresses to more than the {declared} bytes the zip directory declares; the archive is corrupt.");
            buffer.Write(chunk, 0, n);
        }
        if (buffer.Length != declared)
            throw fail($"holds {buffer.Length} bytes but the zip directory declares {declared}; the archive is truncated or corrupt.");
        return buffer.ToArray();
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
