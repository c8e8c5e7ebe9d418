using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Recur.Serialization;

/// <summary>
/// The safetensors element types: their byte sizes (for validating offsets) and the conversions
/// to float32 that <see cref="SafeTensorsFile.Get"/> supports.
/// </summary>
internal static class SafeTensorsDtype
{
    /// <summary>Element size in bytes of every dtype the safetensors format defines with whole bytes.</summary>
    private static readonly Dictionary<string, int> Sizes = new(StringComparer.Ordinal)
    {
        ["BOOL"] = 1, ["U8"] = 1, ["I8"] = 1, ["F8_E5M2"] = 1, ["F8_E4M3"] = 1,
        ["I16"] = 2, ["U16"] = 2, ["F16"] = 2, ["BF16"] = 2,
        ["I32"] = 4, ["U32"] = 4, ["F32"] = 4,
        ["I64"] = 8, ["U64"] = 8, ["F64"] = 8,
    };

    /// <summary>The dtypes <see cref="ToFloat32"/> converts.</summary>
    public const string Convertible = "F32, F64, F16, BF16";

    /// <summary>True when <see cref="ToFloat32"/> converts <paramref name="dtype"/>.</summary>
    public static bool CanConvert(string dtype) => dtype is "F32" or "F64" or "F16" or "BF16";

    /// <summary>All known dtype names, for error messages.</summary>
    public static string KnownList => string.Join(", ", Sizes.Keys);

    /// <summary>The element size of <paramref name="dtype"/>, or 0 when the name is unknown.</summary>
    public static int SizeOf(string dtype) => Sizes.TryGetValue(dtype, out int size) ? size : 0;

    /// <summary>
    /// Decodes little-endian elements of <paramref name="dtype"/> into float32, or returns null
    /// when the dtype is not one of <see cref="Convertible"/>. F64 rounds to nearest; F16 and
    /// BF16 widen exactly.
    /// </summary>
    public static float[]? ToFloat32(ReadOnlySpan<byte> bytes, string dtype)
    {
        switch (dtype)
        {
            case "F32":
            {
                var values = new float[bytes.Length / 4];
                if (BitConverter.IsLittleEndian) bytes.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
                else for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
                return values;
            }
            case "F64":
            {
                var values = new float[bytes.Length / 8];
                for (int i = 0; i < values.Length; i++) values[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes[(8 * i)..]);
                return values;
            }
            case "F16":
            {
                var values = new float[bytes.Length / 2];
                for (int i = 0; i < values.Length; i++) values[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(2 * i)..]);
                return values;
            }
            case "BF16":
            {
                // bfloat16 is the upper half of an IEEE float32: widening is a 16-bit shift.
                var values = new float[bytes.Length / 2];
                for (int i = 0; i < values.Length; i++)
                    values[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]) << 16);
                return values;
            }
            default:
                return null;
        }
    }
}
