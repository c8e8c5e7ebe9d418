using System.Buffers.Binary;
using Recur.Serialization;

namespace Recur.Tests.Serialization;

/// <summary>
/// .npy entries at the edges of their layout: prefixes of exactly the minimum length, a version
/// 2.0 header length beyond 16 bits, latin-1 headers, the largest element count, a Fortran-order
/// scalar, and dtype strings that only look like one.
/// </summary>
public class NpyEntryEdgeTests
{
    private const string Source = "edges.npz";

    private static NpzFile Read(byte[] npy) => NpzFile.Read(NpzBytes.Zip(("x.npy", npy)), Source);

    private static string Problem(byte[] npy)
    {
        var e = Assert.Throws<NpzFormatException>(() => Read(npy));
        Assert.StartsWith($"{Source}: entry 'x.npy': ", e.Message);
        return e.Message[$"{Source}: entry 'x.npy': ".Length..];
    }

    /// <summary>Magic, version <paramref name="major"/>.0 and a header length of 0: nothing else.</summary>
    private static byte[] EmptyHeader(byte major)
    {
        var npy = new byte[major == 1 ? 10 : 12];
        new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', major, 0 }.CopyTo(npy, 0);
        return npy;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_prefix_of_exactly_the_minimum_length_is_read_and_its_empty_header_refused(byte major)
        => Assert.Equal("the .npy header is not a dict literal NumPy writes: expected '{' at offset 0, found the end.", Problem(EmptyHeader(major)));

    [Fact]
    public void A_version_2_entry_too_short_for_its_header_length_is_told_so()
        => Assert.Equal("the .npy entry is 11 bytes, too short for a version 2.0 header length.", Problem(EmptyHeader(2)[..11]));

    [Fact]
    public void A_version_2_header_length_is_read_as_32_bits()
    {
        byte[] npy = NpzBytes.Npy(NpzBytes.Header("<f4", "(1,)"), NpzBytes.F4(1), major: 2);
        uint declared = 0x10000u + BinaryPrimitives.ReadUInt32LittleEndian(npy.AsSpan(8));
        BinaryPrimitives.WriteUInt32LittleEndian(npy.AsSpan(8), declared);

        Assert.Equal($"the .npy header length says {declared} bytes but only {npy.Length - 12} follow; the entry is truncated or corrupt.", Problem(npy));
    }

    [Fact]
    public void A_version_1_header_is_latin_1()
        => Assert.Equal("the .npy header has an unexpected key 'café'; expected exactly 'descr', 'fortran_order', 'shape'.",
            Problem(NpzBytes.Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'café': True, }", NpzBytes.F4(1))));

    [Fact]
    public void The_largest_element_count_is_checked_against_the_data_not_refused_as_too_many()
        => Assert.Equal($"the array data is 4 bytes but shape ({Array.MaxLength},) of '<f4' needs {Array.MaxLength} × 4 = {4L * Array.MaxLength} bytes; the entry is truncated or corrupt.",
            Problem(NpzBytes.Npy(NpzBytes.Header("<f4", $"({Array.MaxLength},)"), NpzBytes.F4(1))));

    [Fact]
    public void A_fortran_order_scalar_is_its_one_value()
    {
        var scalar = Read(NpzBytes.Npy(NpzBytes.Header("<f4", "()", fortran: true), NpzBytes.F4(2.5f))).Get("x");

        Assert.Empty(scalar.ShapeArray);
        Assert.Equal([2.5f], scalar.ToArray());
    }

    [Theory]
    [InlineData("xf4")]
    [InlineData("")]
    public void A_dtype_without_a_byte_order_mark_is_not_supported(string descr)
        => Assert.Equal($"the dtype '{descr}' is not supported; supported are f2, f4, f8, i1-i8, u1-u8 and b1 (e.g. '<f4').",
            Problem(NpzBytes.Npy(NpzBytes.Header(descr, "(1,)"), NpzBytes.F4(1))));

    [Fact]
    public void An_object_array_is_refused_with_what_to_save_instead()
        => Assert.Equal("the array has dtype '|O' (Python objects). Reading it would mean unpickling, which Recur never does; " +
                        "save numeric arrays instead, e.g. np.asarray(x, dtype=np.float32).",
            Problem(NpzBytes.Npy(NpzBytes.Header("|O", "(1,)"), new byte[8])));
}
