using Recur.Decoding;

namespace Recur.Tests.Decoding;

public class RowSelectionTests
{
    [Fact]
    public void Selects_repeats_and_drops_rows_along_any_axis()
    {
        // (2, 3, 2): value = 100·i + 10·j + k.
        var t = Tensor.Zeros(2, 3, 2);
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 2; k++) t[i, j, k] = 100 * i + 10 * j + k;
        var s = RowSelection.Select(t, 1, [2, 2, 0, 1]);
        Assert.Equal(new[] { 2, 4, 2 }, s.ShapeArray);
        for (int i = 0; i < 2; i++)
            for (int n = 0; n < 4; n++)
                for (int k = 0; k < 2; k++) Assert.Equal(100 * i + 10 * new[] { 2, 2, 0, 1 }[n] + k, s[i, n, k]);
        var first = RowSelection.Select(t, 0, [1]);
        Assert.Equal(new[] { 1, 3, 2 }, first.ShapeArray);
        Assert.Equal(121f, first[0, 2, 1]);
        Assert.Throws<ArgumentOutOfRangeException>("rows", () => RowSelection.Select(t, 1, [3]));
        Assert.Throws<ArgumentOutOfRangeException>("axis", () => RowSelection.Select(t, 3, [0]));
    }
}
