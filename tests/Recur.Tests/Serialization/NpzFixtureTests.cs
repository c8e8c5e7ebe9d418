using System.IO.Compression;
using Recur.Serialization;

namespace Recur.Tests.Serialization;

/// <summary>
/// Reads the .npz files made by tools/make_npz_fixtures.py with real NumPy. Values follow the
/// script's formulas of the row-major flat index i and the number k in the array's name.
/// </summary>
public class NpzFixtureTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "npz", name);

    /// <summary>The generator's formula for kind 'f' (float), 'i' (signed), 'u' (unsigned) or 'b' (bool).</summary>
    private static float Expected(char kind, int i, int k = 0) => kind switch
    {
        'f' => 0.25f * i - 3 + 100 * k,
        'i' => i - 3 + 100 * k,
        'u' => i + 100 * k,
        'b' => i % 3 == 0 ? 1 : 0,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static void AssertFormula(Tensor t, char kind, int k = 0, string name = "")
    {
        for (int i = 0; i < t.Length; i++)
            Assert.True(Expected(kind, i, k) == t.Span[i], $"{name}[{i}] = {t.Span[i]}; expected {Expected(kind, i, k)}");
    }

    [Fact]
    public void Keras_weights_saved_with_savez_read_as_arr_0_to_arr_2()
    {
        var npz = NpzFile.Read(Fixture("keras_lstm.npz"));
        Assert.Equal(new[] { "arr_0", "arr_1", "arr_2" }, npz.Names);
        Assert.Equal(new[] { 3, 8 }, npz.Get("arr_0").ShapeArray);
        Assert.Equal(new[] { 2, 8 }, npz.Get("arr_1").ShapeArray);
        Assert.Equal(new[] { 8 }, npz.Get("arr_2").ShapeArray);
        for (int k = 0; k < 3; k++) AssertFormula(npz.Get($"arr_{k}"), 'f', k, $"arr_{k}");
    }

    [Fact]
    public void Arrays_keep_archive_order_and_are_also_given_in_numeric_order()
    {
        var npz = NpzFile.Read(Fixture("unordered.npz"));
        Assert.Equal(new[] { 10, 2, 0, 11, 1, 7, 3, 9, 5, 4, 8, 6 }.Select(k => $"arr_{k}"), npz.Names);
        Assert.Equal(npz.Names, npz.Arrays.Select(a => a.Key));
        Assert.Equal(Enumerable.Range(0, 12).Select(k => $"arr_{k}"), npz.ArraysByNumericSuffix.Select(a => a.Key));
        foreach (var (name, tensor) in npz.ArraysByNumericSuffix)
            AssertFormula(tensor, 'f', int.Parse(name["arr_".Length..]), name);
    }

    [Fact]
    public void Every_supported_dtype_in_both_byte_orders_converts_to_float()
    {
        var npz = NpzFile.Read(Fixture("dtypes.npz"));
        var codes = new[] { "f2", "f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "b1" };
        foreach (string code in codes)
            foreach (string name in new[] { code, "be_" + code }.Where(npz.Contains))
            {
                Assert.Equal(new[] { 2, 3 }, npz.Get(name).ShapeArray);
                AssertFormula(npz.Get(name), code[0], name: name);
            }
        Assert.Equal(codes.Length + 9, npz.Names.Count(n => !n.StartsWith("fortran") && n is not ("scalar" or "empty")));
    }

    [Fact]
    public void Fortran_order_arrays_are_transposed_to_row_major()
    {
        var npz = NpzFile.Read(Fixture("dtypes.npz"));
        Assert.Equal(new[] { 2, 3, 4 }, npz.Get("fortran_f4").ShapeArray);
        AssertFormula(npz.Get("fortran_f4"), 'f', name: "fortran_f4");
        Assert.Equal(new[] { 3, 5 }, npz.Get("fortran_be_f8").ShapeArray);
        AssertFormula(npz.Get("fortran_be_f8"), 'f', name: "fortran_be_f8");
    }

    [Fact]
    public void Scalar_and_empty_arrays_keep_their_shapes()
    {
        var npz = NpzFile.Read(Fixture("dtypes.npz"));
        var scalar = npz.Get("scalar");
        Assert.Equal(0, scalar.Rank);
        Assert.Equal(-3f, scalar.Span[0]);
        Assert.Equal(new[] { 0, 3 }, npz.Get("empty").ShapeArray);
    }

    [Fact]
    public void Header_versions_1_2_and_3_read_alike()
    {
        var npz = NpzFile.Read(Fixture("versions.npz"));
        Assert.Equal(new[] { "v1", "v2", "v3" }, npz.Names);
        using (var zip = ZipFile.OpenRead(Fixture("versions.npz")))
            foreach (var (entry, major) in zip.Entries.Zip(new byte[] { 1, 2, 3 }))
            {
                using var s = entry.Open();
                var head = new byte[8];
                s.ReadExactly(head);
                Assert.Equal(major, head[6]); // the fixture really has each version
            }
        foreach (var (name, tensor) in npz.Arrays) AssertFormula(tensor, 'f', name: name);
    }

    [Fact]
    public void Fixtures_cover_both_stored_and_deflated_entries()
    {
        using var stored = ZipFile.OpenRead(Fixture("keras_lstm.npz"));
        Assert.All(stored.Entries, e => Assert.Equal(e.Length, e.CompressedLength));
        using var deflated = ZipFile.OpenRead(Fixture("dtypes.npz"));
        Assert.All(deflated.Entries, e => Assert.True(e.CompressedLength < e.Length, $"{e.FullName} is not compressed"));
    }

    [Fact]
    public void Missing_array_error_lists_the_names()
    {
        var npz = NpzFile.Read(Fixture("keras_lstm.npz"));
        var ex = Assert.Throws<KeyNotFoundException>(() => npz.Get("arr_3"));
        Assert.Contains("'arr_3'", ex.Message);
        Assert.Contains("'arr_0', 'arr_1', 'arr_2'", ex.Message);
        Assert.Contains("keras_lstm.npz", ex.Message);
    }
}
