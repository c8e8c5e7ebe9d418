using Recur.Cli.Forecasting;

namespace Recur.Tests.Forecasting;

/// <summary>The network's share: the validation regression of the base's errors on the network's outputs, shrunk by its uncertainty.</summary>
public class NetworkShareTests
{
    [Fact]
    public void Share_is_the_regression_slope_times_one_minus_one_over_t_squared()
    {
        // Σzm = 4, Σm² = 4: ŵ = 1; residuals 0, 1, −1, 0: s² = 2/3, t² = ŵ²Σm²/s² = 6; share 1 − 1/6.
        Assert.Equal(5.0 / 6, NetworkShare.Shrunk([1, 2, 0, -1], [1, 1, 1, -1]), 12);
    }

    [Fact]
    public void A_network_that_explains_the_errors_keeps_its_whole_output()
    {
        var m = Enumerable.Range(0, 200).Select(r => Math.Sin(r * 0.7)).ToArray();
        var z = m.Select((x, r) => x + 0.05 * Math.Cos(r * 3.1)).ToArray();
        Assert.InRange(NetworkShare.Shrunk(z, m), 0.99, 1);
        Assert.Equal(1, NetworkShare.Shrunk(z.Select(x => 2 * x).ToArray(), m)); // a slope above 1 is clipped
    }

    [Fact]
    public void A_weak_gain_on_few_rows_goes_to_the_base()
    {
        // Σzm = 0.5, Σm² = 5: ŵ = 0.1, but s² = 4.2/4 makes t² = 0.048 < 1: the share is 0, not 0.1.
        Assert.Equal(0, NetworkShare.Shrunk([1, -1, 1, -1, 0.5], [1, 1, -1, -1, 1]));
        Assert.Equal(0, NetworkShare.Shrunk([1, 2, 0, -1], [-1, -1, -1, 1])); // a negative slope
        Assert.Equal(0, NetworkShare.Shrunk([1, 2], [0, 0])); // no output at all
    }

    [Fact]
    public void Lengths_must_match()
    {
        var e = Assert.Throws<ArgumentException>(() => NetworkShare.Shrunk([1, 2, 3], [1, 2]));
        Assert.Equal("m", e.ParamName);
        Assert.Contains("3 targets but 2 outputs", e.Message);
    }
}
