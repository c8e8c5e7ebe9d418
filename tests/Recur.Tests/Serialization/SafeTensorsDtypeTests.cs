using System.Buffers.Binary;
using Recur.Serialization;

namespace Recur.Tests.Serialization;

public class SafeTensorsDtypeTests
{
    private static SafeTensorsFile One(string dtype, int count, byte[] data) =>
        SafeTensorsFile.Read(SafeTensorsBytes.Build("{" + SafeTensorsBytes.Entry("t", dtype, $"[{count}]", 0, data.Length) + "}", data), "dtypes");

    [Fact]
    public void F16_widens_exactly_including_subnormals_and_infinity()
    {
        ushort[] bits = { 0x3C00, 0xC000, 0x7C00, 0x0001, 0x3555, 0x8000 };
        var data = new byte[2 * bits.Length];
        for (int i = 0; i < bits.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(2 * i), bits[i]);

        var t = One("F16", bits.Length, data).Get("t");
        float[] expected = { 1f, -2f, float.PositiveInfinity, MathF.Pow(2, -24), 1365f / 4096f, -0f };
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), t.ToArray().Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void BF16_is_the_upper_half_of_float32()
    {
        float[] expected = { 1f, -3f, 0.15625f, float.NegativeInfinity, 3.3895314e38f };
        var data = new byte[2 * expected.Length];
        for (int i = 0; i < expected.Length; i++)
            BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(2 * i), (ushort)(BitConverter.SingleToUInt32Bits(expected[i]) >> 16));

        Assert.Equal(expected, One("BF16", expected.Length, data).Get("t").ToArray());
    }

    [Fact]
    public void F64_rounds_to_nearest_float32()
    {
        double[] values = { 0.1, -1e-3, 1.0 + 1e-12, 1e300, 123456789.0 };
        var data = new byte[8 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(8 * i), values[i]);

        var file = One("F64", values.Length, data);
        Assert.Equal("F64", file.DtypeOf("t"));
        Assert.Equal(values.Select(v => (float)v), file.Get("t").ToArray());
    }

    [Fact]
    public void Other_dtypes_are_readable_as_metadata_but_Get_names_tensor_and_dtype()
    {
        var file = One("I32", 2, new byte[8]);
        Assert.Equal("I32", file.DtypeOf("t"));
        Assert.Equal(new[] { 2 }, file.ShapeOf("t"));
        var ex = Assert.Throws<NotSupportedException>(() => file.Get("t"));
        Assert.Contains("tensor 't' has dtype I32", ex.Message);
        Assert.Contains("F32, F64, F16, BF16", ex.Message);
    }
}
