using Recur.Cli.Common;
using Recur.Cli.Forecasting;

namespace Recur.Tests.Forecasting;

/// <summary>The time-ordered split: fitting and selection never see a test row.</summary>
public class TimeSplitTests
{
    [Theory]
    [InlineData(144, 48, 19, 13, 1, 12)]
    [InlineData(144, 29, 23, 13, 6, 12)]
    [InlineData(60, 10, 10, 5, 3, 0)]
    public void Fit_and_validation_windows_stay_before_the_test_span(int n, int test, int val, int window, int horizon, int warmup)
    {
        var split = TimeSplit.Create(n, test, val, window, horizon, "s.csv", warmup);
        Assert.Equal(n - test, split.TestStart);
        Assert.Equal(n - test - val, split.ValidationStart);
        foreach (int o in split.FitOrigins())
        {
            Assert.True(o - window + 1 >= 0 && o >= warmup);
            Assert.True(o + horizon < split.ValidationStart, $"fit origin {o} has a target at or after the validation slice");
        }
        foreach (int o in split.ValidationOrigins())
        {
            Assert.True(o + 1 >= split.ValidationStart, $"validation origin {o} scores a fit row");
            Assert.True(o + horizon < split.TestStart, $"validation origin {o} reads a test row");
        }
        Assert.NotEmpty(split.ValidationOrigins());
        Assert.True(split.FitOrigins().Count() >= TimeSplit.MinFitWindows);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Every_test_row_is_forecast_at_every_step_from_observed_inputs(int horizon)
    {
        var split = TimeSplit.Create(100, 20, 15, 8, horizon, "s.csv");
        var origins = split.TestOrigins().ToList();
        for (int j = 1; j <= horizon; j++)
        {
            var targets = origins.Where(o => split.IsTestTarget(o, j)).Select(o => o + j).ToList();
            Assert.Equal(Enumerable.Range(80, 20), targets);
        }
        Assert.All(origins, o => Assert.True(o < 99)); // an origin's inputs end at the origin, a row before its first target
    }

    [Fact]
    public void Too_short_a_series_is_one_clear_message()
    {
        var e = Assert.Throws<InputException>(() => TimeSplit.Create(30, 6, 5, 14, 3, "short.csv"));
        Assert.Contains("short.csv: 30 rows are too short for window 14 + horizon 3", e.Message);
        Assert.Throws<InputException>(() => TimeSplit.Create(30, 30, 5, 2, 1, "short.csv"));
    }
}
