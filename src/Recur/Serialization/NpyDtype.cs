using System.Buffers.Binary;

namespace Recur.Serialization;

/// <summary>
/// A NumPy dtype string such as <c>&lt;f4</c> (byte order, kind, size) and its conversion to float32.
/// </summary>
/// <remarks>
/// Supported: floats f2/f4/f8, signed i1–i8, unsigned u1–u8 and bool b1, little- or big-endian.
/// 64-bit integers above 2^24 lose precision, like any float32 conversion.
/// </remarks>
internal sealed class NpyDtype
{
    /// <summary>Decodes one element from the start of <paramref name="bytes"/>.</summary>
    private delegate float ElementReader(ReadOnlySpan<byte> bytes);

    private readonly ElementReader _read;

    private NpyDtype(string descr, int size, ElementReader read)
    {
        Descr = descr;
        Size = size;
        _read = read;
    }

    /// <summary>The dtype string as written in the header.</summary>
    public string Descr { get; }

    /// <summary>Bytes per element.</summary>
    public int Size { get; }

    /// <summary>True for little-endian float32, which copies without conversion.</summary>
    public bool IsLittleF4 => Descr == "<f4";

    /// <summary>Decodes one element.</summary>
    public float Read(ReadOnlySpan<byte> bytes) => _read(bytes);

    /// <summary>Parses <paramref name="descr"/>; <paramref name="fail"/> builds the exception for a problem description.</summary>
    public static NpyDtype Parse(string descr, Func<string, Exception> fail)
    {
        if (descr.Length >= 2 && descr[1] == 'O')
            throw fail($"the array has dtype '{descr}' (Python objects). Reading it would mean unpickling, which Recur never does; " +
                       "save numeric arrays instead, e.g. np.asarray(x, dtype=np.float32).");
        if (descr.Length < 3 || descr[0] is not ('<' or '>' or '|') || !int.TryParse(descr.AsSpan(2), out int size))
            throw fail($"the dtype '{descr}' is not supported; supported are f2, f4, f8, i1-i8, u1-u8 and b1 (e.g. '<f4').");
        if (descr[0] == '|' && size != 1)
            throw fail($"the dtype '{descr}' has no byte order ('|') but {size}-byte elements; expected '<' or '>'.");
        bool big = descr[0] == '>';
        ElementReader? read = (descr[1], size) switch
        {
            ('f', 2) => big ? b => (float)BinaryPrimitives.ReadHalfBigEndian(b) : b => (float)BinaryPrimitives.ReadHalfLittleEndian(b),
            ('f', 4) => big ? b => BinaryPrimitives.ReadSingleBigEndian(b) : b => BinaryPrimitives.ReadSingleLittleEndian(b),
            ('f', 8) => big ? b => (float)BinaryPrimitives.ReadDoubleBigEndian(b) : b => (float)BinaryPrimitives.ReadDoubleLittleEndian(b),
            ('i', 1) => b => (sbyte)b[0],
            ('i', 2) => big ? b => BinaryPrimitives.ReadInt16BigEndian(b) : b => BinaryPrimitives.ReadInt16LittleEndian(b),
            ('i', 4) => big ? b => BinaryPrimitives.ReadInt32BigEndian(b) : b => BinaryPrimitives.ReadInt32LittleEndian(b),
            ('i', 8) => big ? b => BinaryPrimitives.ReadInt64BigEndian(b) : b => BinaryPrimitives.ReadInt64LittleEndian(b),
            ('u', 1) => b => b[0],
            ('u', 2) => big ? b => BinaryPrimitives.ReadUInt16BigEndian(b) : b => BinaryPrimitives.ReadUInt16LittleEndian(b),
            ('u', 4) => big ? b => BinaryPrimitives.ReadUInt32BigEndian(b) : b => BinaryPrimitives.ReadUInt32LittleEndian(b),
            ('u', 8) => big ? b => BinaryPrimitives.ReadUInt64BigEndian(b) : b => BinaryPrimitives.ReadUInt64LittleEndian(b),
            ('b', 1) => b => b[0] != 0 ? 1f : 0f,
            _ => null,
        };
        if (read is null)
            throw fail($"the dtype '{descr}' is not supported; supported are f2, f4, f8, i1-i8, u1-u8 and b1 (e.g. '<f4').");
        return new NpyDtype(descr, size, read);
    }
}
