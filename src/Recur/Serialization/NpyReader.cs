using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Recur.Serialization;

/// <summary>
/// Decodes one <c>.npy</c> array into a float32 tensor.
/// </summary>
/// <remarks>
/// Layout: magic <c>\x93NUMPY</c>, major and minor version bytes, the header length (u16 for
/// version 1.0, u32 for 2.0 and 3.0, little-endian), the header (latin-1, or UTF-8 in 3.0), then
/// the raw elements in C (row-major) or Fortran (column-major) order.
/// </remarks>
internal static class NpyReader
{
    private static ReadOnlySpan<byte> Magic => new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' };

    /// <summary>Decodes <paramref name="npy"/>; <paramref name="fail"/> builds the exception for a problem description.</summary>
    public static Tensor Read(ReadOnlySpan<byte> npy, Func<string, Exception> fail)
    {
        if (npy.Length < 10 || !npy[..6].SequenceEqual(Magic))
            throw fail($"not a .npy array: it does not start with the magic \\x93NUMPY (first bytes: {Convert.ToHexString(npy[..Math.Min(8, npy.Length)])}).");
        byte major = npy[6], minor = npy[7];
        if (major is < 1 or > 3 || minor != 0)
            throw fail($".npy format version {major}.{minor} is not supported; Recur reads 1.0, 2.0 and 3.0.");
        int prefix = major == 1 ? 10 : 12;
        if (npy.Length < prefix)
            throw fail($"the .npy entry is {npy.Length} bytes, too short for a version {major}.0 header length.");
        long headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(npy[8..]) : BinaryPrimitives.ReadUInt32LittleEndian(npy[8..]);
        if (headerLength > npy.Length - prefix)
            throw fail($"the .npy header length says {headerLength} bytes but only {npy.Length - prefix} follow; the entry is truncated or corrupt.");

        var headerBytes = npy.Slice(prefix, (int)headerLength);
        string text = major == 3 ? DecodeUtf8(headerBytes, fail) : Encoding.Latin1.GetString(headerBytes);
        var header = NpyHeader.Parse(text, fail);
        var dtype = NpyDtype.Parse(header.Descr, fail);

        long count = 1;
        foreach (int d in header.Shape)
        {
            count *= d;
            if (count > Array.MaxLength)
                throw fail($"shape {Tensor.ShapeString(header.Shape)} has more elements than a Recur tensor holds.");
        }
        var data = npy[(prefix + (int)headerLength)..];
        if (data.Length != count * dtype.Size)
            throw fail($"the array data is {data.Length} bytes but shape {Tensor.ShapeString(header.Shape)} of '{dtype.Descr}' " +
                       $"needs {count} × {dtype.Size} = {count * dtype.Size} bytes; the entry is truncated or corrupt.");

        var values = new float[count];
        if (dtype.IsLittleF4 && BitConverter.IsLittleEndian) data.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
        else for (int i = 0; i < values.Length; i++) values[i] = dtype.Read(data[(i * dtype.Size)..]);
        if (header.FortranOrder) values = FortranToRowMajor(values, header.Shape);
        return new Tensor(values, header.Shape);
    }

    /// <summary>
    /// Reorders column-major elements (first index fastest) into row-major (last index fastest):
    /// walks the row-major index like an odometer while tracking the column-major offset.
    /// </summary>
    internal static float[] FortranToRowMajor(float[] columnMajor, int[] shape)
    {
        int rank = shape.Length;
        if (rank <= 1 || columnMajor.Length == 0) return columnMajor;
        var stride = new long[rank]; // column-major strides: stride[k] = shape[0]·…·shape[k−1]
        stride[0] = 1;
        for (int k = 1; k < rank; k++) stride[k] = stride[k - 1] * shape[k - 1];

        var rowMajor = new float[columnMajor.Length];
        var index = new int[rank];
        long source = 0;
        for (int r = 0; r < rowMajor.Length; r++)
        {
            rowMajor[r] = columnMajor[source];
            for (int k = rank - 1; k >= 0; k--)
            {
                source += stride[k];
                if (++index[k] < shape[k]) break;
                source -= stride[k] * shape[k];
                index[k] = 0;
            }
        }
        return rowMajor;
    }

    private static string DecodeUtf8(ReadOnlySpan<byte> bytes, Func<string, Exception> fail)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw fail("the version 3.0 .npy header is not valid UTF-8.");
        }
    }
}
