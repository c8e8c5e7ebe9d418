namespace Recur.Tests;

public class TensorTests
{
    [Fact]
    public void Constructor_rejects_data_that_does_not_fill_the_shape()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Tensor(new float[5], 2, 3));
        Assert.Contains("(2, 3)", ex.Message);
        Assert.Contains("5", ex.Message);
    }

    [Fact]
    public void Reshape_infers_one_dimension_and_shares_storage()
    {
        var t = Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        var r = t.Reshape(3, -1);
        Assert.Equal(new[] { 3, 2 }, r.ShapeArray);
        r.Span[0] = 9;
        Assert.Equal(9, t[0, 0]);
    }

    [Fact]
    public void Indexer_checks_each_coordinate()
    {
        var t = Tensor.Zeros(2, 3);
        t[1, 2] = 5;
        Assert.Equal(5, t.Span[5]);
        Assert.Throws<ArgumentOutOfRangeException>(() => t[2, 0]);
        Assert.Throws<ArgumentException>(() => t[0]);
    }

    [Fact]
    public void ThrowIfNonFinite_names_argument_and_position()
    {
        var t = Tensor.Zeros(2, 2);
        t[1, 0] = float.NaN;
        var ex = Assert.Throws<ArgumentException>(() => t.ThrowIfNonFinite("input"));
        Assert.Equal("input", ex.ParamName);
        Assert.Contains("index 2", ex.Message);
    }

    [Fact]
    public void SeededRandom_repeats_for_a_seed_and_differs_across_seeds()
    {
        var a = new SeededRandom(42); var b = new SeededRandom(42); var c = new SeededRandom(43);
        var xa = Enumerable.Range(0, 8).Select(_ => a.NextUInt64()).ToArray();
        var xb = Enumerable.Range(0, 8).Select(_ => b.NextUInt64()).ToArray();
        var xc = Enumerable.Range(0, 8).Select(_ => c.NextUInt64()).ToArray();
        Assert.Equal(xa, xb);
        Assert.NotEqual(xa, xc);
    }

    [Fact]
    public void SeededRandom_normal_has_unit_moments()
    {
        var r = new SeededRandom(1);
        double s = 0, s2 = 0; const int n = 200_000;
        for (int i = 0; i < n; i++) { double v = r.Normal(); s += v; s2 += v * v; }
        Assert.InRange(s / n, -0.01, 0.01);
        Assert.InRange(s2 / n, 0.98, 1.02);
    }
}
