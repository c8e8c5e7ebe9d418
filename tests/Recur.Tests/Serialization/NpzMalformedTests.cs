using Recur.Serialization;

namespace Recur.Tests.Serialization;

/// <summary>Malformed or unsupported .npz input gives an <see cref="NpzFormatException"/> naming the file, the entry and the problem.</summary>
public class NpzMalformedTests
{
    private const string Source = "weights.npz";

    private static NpzFormatException Fails(Stream stream)
    {
        var ex = Assert.Throws<NpzFormatException>(() => NpzFile.Read(stream, Source));
        Assert.StartsWith(Source + ": ", ex.Message);
        Assert.Equal(Source, ex.SourceName);
        return ex;
    }

    private static NpzFormatException FailsEntry(byte[] npy)
    {
        var ex = Fails(NpzBytes.Zip(("x.npy", npy)));
        Assert.Contains("entry 'x.npy'", ex.Message);
        return ex;
    }

    [Fact]
    public void Not_a_zip_archive()
    {
        var ex = Fails(new MemoryStream(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }));
        Assert.Contains("not a valid zip archive", ex.Message);
    }

    [Fact]
    public void Entry_whose_deflate_stream_is_corrupt()
    {
        byte[] npy = NpzBytes.Npy(NpzBytes.Header("<f4", "(256,)"), NpzBytes.F4(new float[256]));
        var zip = NpzBytes.Zip(System.IO.Compression.CompressionLevel.Optimal, ("x.npy", npy)).ToArray();
        // The deflate data starts after the 30-byte local header and the name; 0xFF there opens a
        // block of the reserved type 3, which the decompressor refuses.
        int data = 30 + BitConverter.ToUInt16(zip, 26) + BitConverter.ToUInt16(zip, 28);
        zip[data] = 0xFF;
        var ex = Fails(new MemoryStream(zip));
        Assert.Contains("entry 'x.npy': cannot decompress (", ex.Message);
        Assert.EndsWith(").", ex.Message);
    }

    [Fact]
    public void Entry_that_is_not_npy()
    {
        var ex = Fails(NpzBytes.Zip(("readme.txt", new byte[] { 1 })));
        Assert.Contains("entry 'readme.txt': not a .npy array", ex.Message);
    }

    [Fact]
    public void Duplicate_entry()
    {
        byte[] npy = NpzBytes.Npy(NpzBytes.Header("<f4", "(1,)"), NpzBytes.F4(1));
        var ex = Fails(NpzBytes.Zip(("a.npy", npy), ("a.npy", npy)));
        Assert.Contains("entry 'a.npy': the archive holds this entry twice", ex.Message);
    }

    [Fact]
    public void Bad_magic()
    {
        byte[] npy = NpzBytes.Npy(NpzBytes.Header("<f4", "(1,)"), NpzBytes.F4(1));
        npy[1] = (byte)'X';
        Assert.Contains("does not start with the magic \\x93NUMPY (first bytes: 9358554D", FailsEntry(npy).Message);
        Assert.Contains("magic", FailsEntry(new byte[] { 0x93, 1, 2 }).Message);
    }

    [Fact]
    public void Unsupported_version()
    {
        byte[] npy = NpzBytes.Npy(NpzBytes.Header("<f4", "(1,)"), NpzBytes.F4(1), major: 2);
        npy[6] = 4;
        Assert.Contains("version 4.0 is not supported; Recur reads 1.0, 2.0 and 3.0", FailsEntry(npy).Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Header_length_beyond_the_entry(byte major)
    {
        byte[] npy = NpzBytes.Npy(NpzBytes.Header("<f4", "(1,)"), NpzBytes.F4(1), major, declaredHeaderLength: 60000);
        Assert.Contains("header length says 60000 bytes but only", FailsEntry(npy).Message);
    }

    [Fact]
    public void Version_3_header_that_is_not_UTF8()
    {
        byte[] npy = NpzBytes.Npy(NpzBytes.Header("<f4", "(1,)"), NpzBytes.F4(1), major: 3);
        npy[12 + 3] = 0xFF; // inside 'descr'
        Assert.Contains("not valid UTF-8", FailsEntry(npy).Message);
    }

    // Each case: header text, data length, fragment of the expected message.
    [Theory]
    [InlineData("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", 16, "dtype '|O' (Python objects). Reading it would mean unpickling, which Recur never does")]
    [InlineData("{'descr': '<U5', 'fortran_order': False, 'shape': (1,), }", 20, "the dtype '<U5' is not supported; supported are f2, f4, f8")]
    [InlineData("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", 8, "the dtype '<c8' is not supported")]
    [InlineData("{'descr': '|f4', 'fortran_order': False, 'shape': (1,), }", 4, "no byte order ('|') but 4-byte elements")]
    [InlineData("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", 4, "structured dtype")]
    [InlineData("{'descr': 4, 'fortran_order': False, 'shape': (1,), }", 4, "expected a string, True, False or a tuple at offset 10, found '4'")]
    [InlineData("{'descr': ('<f4',), 'fortran_order': False, 'shape': (1,), }", 4, "shape dimension 0 at header offset 11 is not a non-negative integer")]
    [InlineData("{'descr': '<f4', 'fortran_order': 'no', 'shape': (1,), }", 4, "'fortran_order' is the string 'no'; expected True or False")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': '1', }", 4, "'shape' is the string '1'; expected a tuple")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", 4, "shape dimension 0 at header offset 51 is not a non-negative integer")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2.5,), }", 4, "expected ',' or ')' at offset 52, found '.'")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (3000000000,), }", 4, "shape dimension 0 = 3000000000")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2147483647, 2147483647), }", 4, "has more elements than a Recur tensor holds")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", 8, "data is 8 bytes but shape (3,) of '<f4' needs 3 × 4 = 12 bytes")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", 12, "data is 12 bytes but shape (1,) of '<f8' needs 1 × 8 = 8 bytes")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, }", 4, "lacks the key 'shape'")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': True}", 4, "unexpected key 'extra'")]
    [InlineData("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", 4, "key 'descr' twice")]
    [InlineData("{'descr': '<f4, 'fortran_order': False, 'shape': (1,)}", 4, "expected ',' or '}' at offset 17, found 'f'")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} x", 4, "expected the end of the header")]
    [InlineData("['descr', '<f4']", 4, "expected '{' at offset 0, found '['")]
    [InlineData("{'descr", 4, "unterminated string")]
    public void Malformed_or_unsupported_array(string header, int dataLength, string expected)
    {
        Assert.Contains(expected, FailsEntry(NpzBytes.Npy(header, new byte[dataLength])).Message);
    }

    [Fact]
    public void Python2_long_dimensions_and_double_quotes_are_accepted()
    {
        byte[] npy = NpzBytes.Npy("{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2L, 1L)}", NpzBytes.F4(1.5f, -2f));
        var npz = NpzFile.Read(NpzBytes.Zip(("w.npy", npy)), Source);
        Assert.Equal(new[] { 2, 1 }, npz.Get("w").ShapeArray);
        Assert.Equal(new[] { 1.5f, -2f }, npz.Get("w").ToArray());
    }

    [Fact]
    public void Numeric_order_compares_trailing_numbers_by_value_and_puts_unnumbered_first()
    {
        byte[] npy = NpzBytes.Npy(NpzBytes.Header("<f4", "()"), NpzBytes.F4(0));
        var names = new[] { "b", "a10", "a2", "a", "a002", "a1" };
        var npz = NpzFile.Read(NpzBytes.Zip(names.Select(n => (n + ".npy", npy)).ToArray()), Source);
        Assert.Equal(names, npz.Names);
        Assert.Equal(new[] { "a", "a1", "a2", "a002", "a10", "b" }, npz.ArraysByNumericSuffix.Select(a => a.Key));
    }

    [Fact]
    public void Fortran_transpose_matches_index_arithmetic_for_awkward_shapes()
    {
        foreach (int[] shape in new[] { new[] { 1, 7 }, new[] { 5, 1 }, new[] { 3, 4 }, new[] { 2, 3, 5 }, new[] { 2, 1, 3, 2 }, new[] { 0, 4 } })
        {
            int n = shape.Aggregate(1, (a, b) => a * b);
            // Column-major buffer whose element at multi-index (i0, i1, ...) holds its row-major flat index.
            var columnMajor = new float[n];
            for (int r = 0; r < n; r++)
            {
                int rest = r, offset = 0, stride = 1;
                var index = new int[shape.Length];
                for (int k = shape.Length - 1; k >= 0; k--) { index[k] = rest % shape[k]; rest /= shape[k]; }
                for (int k = 0; k < shape.Length; k++) { offset += index[k] * stride; stride *= shape[k]; }
                columnMajor[offset] = r;
            }
            var rowMajor = NpyReader.FortranToRowMajor(columnMajor, shape);
            Assert.Equal(Enumerable.Range(0, n).Select(i => (float)i), rowMajor);
        }
    }

    [Fact]
    public void Random_corruption_only_gives_format_errors()
    {
        byte[] a = NpzBytes.Npy(NpzBytes.Header("<f4", "(2, 3)"), NpzBytes.F4(1, 2, 3, 4, 5, 6));
        byte[] b = NpzBytes.Npy(NpzBytes.Header(">f8", "(2,)", fortran: true), new byte[16]);
        foreach (var level in new[] { System.IO.Compression.CompressionLevel.NoCompression, System.IO.Compression.CompressionLevel.Optimal })
        {
            byte[] good = NpzBytes.Zip(level, ("a.npy", a), ("b.npy", b)).ToArray();
            var rng = new SeededRandom(3);
            int rejected = 0;
            for (int trial = 0; trial < 1500; trial++)
            {
                byte[] bad = (byte[])good.Clone();
                for (int flips = 1 + rng.NextInt(3); flips > 0; flips--) bad[rng.NextInt(bad.Length)] = (byte)rng.NextInt(256);
                try { NpzFile.Read(new MemoryStream(bad), Source); }
                catch (NpzFormatException) { rejected++; }
            }
            Assert.True(rejected > 300, $"only {rejected} of 1500 corrupted archives were rejected");
        }
    }
}
