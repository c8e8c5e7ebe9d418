using Recur.Forecasting;

namespace Recur.Tests.Forecasting;

/// <summary>Median and quantiles of ensemble members, against R's quantile(type = 7).</summary>
public class EnsembleQuantilesTests
{
    [Fact]
    public void Median_of_odd_and_even_counts_ignores_order()
    {
        Assert.Equal(3, EnsembleQuantiles.Median([5.0, 1, 3, 4, 2]));
        Assert.Equal(2.5, EnsembleQuantiles.Median([4.0, 1, 3, 2]));
        Assert.Equal(7, EnsembleQuantiles.Median([7.0]));
    }

    [Fact]
    public void Quantiles_interpolate_between_order_statistics()
    {
        // R: quantile(c(1, 2, 3, 4, 5), c(0, 0.1, 0.25, 0.9, 1)) = 1.0 1.4 2.0 4.6 5.0
        double[] x = [3, 1, 5, 2, 4];
        Assert.Equal(1.0, EnsembleQuantiles.Quantile(x, 0), 12);
        Assert.Equal(1.4, EnsembleQuantiles.Quantile(x, 0.1), 12);
        Assert.Equal(2.0, EnsembleQuantiles.Quantile(x, 0.25), 12);
        Assert.Equal(4.6, EnsembleQuantiles.Quantile(x, 0.9), 12);
        Assert.Equal(5.0, EnsembleQuantiles.Quantile(x, 1), 12);
        Assert.Equal([3.0, 1, 5, 2, 4], x); // the input is not sorted in place
    }

    [Fact]
    public void Element_wise_over_members()
    {
        // three members, two outputs each: output 0 has {1, 9, 5}, output 1 has {-2, 0, 10}.
        var members = new List<double[]> { new[] { 1.0, -2 }, new[] { 9.0, 0 }, new[] { 5.0, 10 } };
        var q = EnsembleQuantiles.Quantiles(members, [0.5, 0.25, 1]);
        Assert.Equal([5.0, 0], q[0]);
        Assert.Equal([3.0, -1], q[1]);
        Assert.Equal([9.0, 10], q[2]);
    }

    [Fact]
    public void Bad_arguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => EnsembleQuantiles.Quantile([1.0], 1.5));
        Assert.Throws<ArgumentException>(() => EnsembleQuantiles.Quantile([], 0.5));
        Assert.Throws<ArgumentException>(() => EnsembleQuantiles.Quantile([1.0, double.NaN], 0.5));
        var e = Assert.Throws<ArgumentException>(() => EnsembleQuantiles.Quantiles([new[] { 1.0, 2 }, new[] { 1.0 }], [0.5]));
        Assert.Contains("members[1] has 1 values; expected 2", e.Message);
    }
}
