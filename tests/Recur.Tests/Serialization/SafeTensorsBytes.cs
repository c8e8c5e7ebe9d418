using System.Buffers.Binary;
using System.Text;

namespace Recur.Tests.Serialization;

/// <summary>Builds safetensors files by hand (independently of the writer) for layout and malformed-input tests.</summary>
internal static class SafeTensorsBytes
{
    /// <summary>8-byte little-endian length of <paramref name="headerJson"/>, the header as UTF-8, then <paramref name="data"/>.</summary>
    public static byte[] Build(string headerJson, byte[] data, ulong? declaredHeaderLength = null) =>
        Build(Encoding.UTF8.GetBytes(headerJson), data, declaredHeaderLength);

    public static byte[] Build(byte[] header, byte[] data, ulong? declaredHeaderLength = null)
    {
        var file = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, declaredHeaderLength ?? (ulong)header.Length);
        header.CopyTo(file, 8);
        data.CopyTo(file, 8 + header.Length);
        return file;
    }

    /// <summary>A header entry <c>"name":{"dtype":..,"shape":[..],"data_offsets":[b,e]}</c>.</summary>
    public static string Entry(string name, string dtype, string shape, long begin, long end) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":[{begin},{end}]}}";
}
