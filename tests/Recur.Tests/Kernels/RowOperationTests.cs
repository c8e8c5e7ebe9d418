using Recur.Kernels;

namespace Recur.Tests.Kernels;

/// <summary>The vectorized row operations against their plain definitions, at awkward widths.</summary>
public class RowOperationTests
{
    public static IEnumerable<object[]> Shapes() =>
        from rows in new[] { 0, 1, 3, 17 }
        from cols in new[] { 1, 7, 8, 15, 16, 17, 33, 130 }
        select new object[] { rows, cols };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Column_sums_are_the_same_chain_of_additions_as_the_reference(int rows, int cols)
    {
        var r = new SeededRandom((ulong)(rows * 1000 + cols));
        var x = Enumerable.Range(0, rows * cols).Select(_ => r.Uniform(-3f, 3f)).ToArray();
        var start = Enumerable.Range(0, cols).Select(_ => r.Uniform(-1f, 1f)).ToArray();
        float[] fast = (float[])start.Clone(), reference = (float[])start.Clone();
        Reductions.AddColumnSums(x, rows, cols, fast);
        Reductions.AddColumnSumsReference(x, rows, cols, reference);
        Assert.Equal(reference, fast); // bit for bit: each column adds its rows in the same order
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Adding_a_vector_to_each_row_adds_it_to_every_element_once(int rows, int cols)
    {
        var r = new SeededRandom((ulong)(rows * 1000 + cols + 7));
        var x = Enumerable.Range(0, rows * cols).Select(_ => r.Uniform(-3f, 3f)).ToArray();
        var v = Enumerable.Range(0, cols).Select(_ => r.Uniform(-1f, 1f)).ToArray();
        var y = (float[])x.Clone();
        Reductions.AddToEachRow(y, rows, cols, v);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                Assert.Equal(x[i * cols + j] + v[j], y[i * cols + j]);
    }
}
