using Recur.Forecasting;

namespace Recur.Tests.Forecasting;

/// <summary>The accuracy measures against values worked out by hand (and R's forecast::accuracy definitions).</summary>
public class ForecastMetricsTests
{
    private static readonly double[] Actual = [10, 12, 9, 11];
    private static readonly double[] Forecast = [11, 10, 9, 14];

    [Fact]
    public void Rmse_and_mae()
    {
        // errors −1, 2, 0, −3: squares 1 + 4 + 0 + 9 = 14, absolutes 6.
        Assert.Equal(Math.Sqrt(14 / 4.0), ForecastMetrics.Rmse(Actual, Forecast), 12);
        Assert.Equal(1.5, ForecastMetrics.Mae(Actual, Forecast), 12);
    }

    [Fact]
    public void Smape_is_the_m4_definition_in_percent()
    {
        double expected = 200.0 / 4 * (1 / 21.0 + 2 / 22.0 + 0 + 3 / 25.0);
        Assert.Equal(expected, ForecastMetrics.Smape(Actual, Forecast), 12);
        Assert.Equal(0, ForecastMetrics.Smape([0.0, 5], [0.0, 5]), 12);
    }

    [Fact]
    public void Mase_scales_by_the_in_sample_seasonal_naive_error()
    {
        double[] training = [1, 2, 4, 7, 11];
        // lag 1: |1| + |2| + |3| + |4| = 10 over 4 → 2.5; lag 2: |3| + |5| + |7| = 15 over 3 → 5.
        Assert.Equal(2.5, ForecastMetrics.NaiveScale(training, 1), 12);
        Assert.Equal(1.5 / 2.5, ForecastMetrics.Mase(Actual, Forecast, training), 12);
        Assert.Equal(1.5 / 5, ForecastMetrics.Mase(Actual, Forecast, training, season: 2), 12);
    }

    [Fact]
    public void Bad_arguments_name_what_is_wrong()
    {
        var e = Assert.Throws<ArgumentException>(() => ForecastMetrics.Rmse(Actual, [1.0, 2]));
        Assert.Contains("forecast has 2 values; expected 4", e.Message);
        Assert.Throws<ArgumentException>(() => ForecastMetrics.Mae([], []));
        Assert.Contains("does not change at lag 1", Assert.Throws<ArgumentException>(() => ForecastMetrics.NaiveScale([3.0, 3, 3])).Message);
        Assert.Contains("needs at least 13", Assert.Throws<ArgumentException>(() => ForecastMetrics.NaiveScale([1.0, 2], 12)).Message);
    }
}
