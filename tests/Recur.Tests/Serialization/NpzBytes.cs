using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Recur.Tests.Serialization;

/// <summary>Builds .npy entries and .npz archives by hand for malformed-input tests.</summary>
internal static class NpzBytes
{
    /// <summary>
    /// A .npy entry: magic, version, header length (u16 for 1.0, u32 otherwise), the header padded
    /// with spaces and a newline as NumPy does, then <paramref name="data"/>.
    /// </summary>
    public static byte[] Npy(string header, byte[] data, byte major = 1, int? declaredHeaderLength = null)
    {
        int prefix = major == 1 ? 10 : 12;
        string padded = header + new string(' ', 63 - (prefix + header.Length) % 64) + "\n";
        byte[] text = major == 3 ? Encoding.UTF8.GetBytes(padded) : Encoding.Latin1.GetBytes(padded);
        var npy = new byte[prefix + text.Length + data.Length];
        new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', major, 0 }.CopyTo(npy, 0);
        int length = declaredHeaderLength ?? text.Length;
        if (major == 1) BinaryPrimitives.WriteUInt16LittleEndian(npy.AsSpan(8), (ushort)length);
        else BinaryPrimitives.WriteUInt32LittleEndian(npy.AsSpan(8), (uint)length);
        text.CopyTo(npy, prefix);
        data.CopyTo(npy, prefix + text.Length);
        return npy;
    }

    /// <summary>A header dict literal as NumPy writes it.</summary>
    public static string Header(string descr, string shape, bool fortran = false) =>
        $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shape}, }}";

    /// <summary>Little-endian float32 bytes of <paramref name="values"/>.</summary>
    public static byte[] F4(params float[] values)
    {
        var bytes = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }

    /// <summary>A zip archive holding the entries in order.</summary>
    public static MemoryStream Zip(CompressionLevel level, params (string Name, byte[] Bytes)[] entries)
    {
        var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, bytes) in entries)
            {
                using var s = zip.CreateEntry(name, level).Open();
                s.Write(bytes);
            }
        stream.Position = 0;
        return stream;
    }

    public static MemoryStream Zip(params (string Name, byte[] Bytes)[] entries) => Zip(CompressionLevel.NoCompression, entries);
}
