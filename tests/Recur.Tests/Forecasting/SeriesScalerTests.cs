using Recur.Cli.Forecasting;

namespace Recur.Tests.Forecasting;

/// <summary>The per-window normalisation: exact round trips, the base it measures against, the season it finds.</summary>
public class SeriesScalerTests
{
    /// <summary>Multiplicative seasonality on exponential growth with a little deterministic noise: y_t = 100·1.01^t·(1 + 0.2 sin(2πt/12))·(1 + 0.01 sin 7t).</summary>
    private static double[] Airline(int n) => Enumerable.Range(0, n)
        .Select(t => 100 * Math.Pow(1.01, t) * (1 + 0.2 * Math.Sin(2 * Math.PI * t / 12)) * (1 + 0.01 * Math.Sin(7 * t))).ToArray();

    [Theory]
    [InlineData("None", false)]
    [InlineData("None", true)]
    [InlineData("Profile", false)]
    [InlineData("Profile", true)]
    [InlineData("SeasonalChange", false)]
    [InlineData("SeasonalChange", true)]
    public void Targets_decode_back_to_the_values_exactly(string styleName, bool log)
    {
        var style = Enum.Parse<SeasonStyle>(styleName);
        var y = Airline(72);
        var profile = SeasonalProfile.Estimate(y.Take(48).Select(v => SeriesScaler.Forward(v, log)).ToArray(), 12);
        var scaler = SeriesScaler.Fit(y, 48, log, style, profile, 12);
        for (int o = scaler.FirstOrigin; o < 60; o++)
            for (int j = 1; j <= 12; j++)
                Assert.Equal(y[o + j], scaler.Decode(o, j, scaler.Target(o, j)), 9);
    }

    [Fact]
    public void Seasonal_change_base_tracks_multiplicative_seasonality_on_a_trend()
    {
        var y = Airline(96);
        var seasonal = SeriesScaler.Fit(y, 60, log: true, SeasonStyle.SeasonalChange, SeasonalProfile.None, 12);
        var plain = SeriesScaler.Fit(y, 60, log: true, SeasonStyle.None, SeasonalProfile.None, 1);
        double Error(SeriesScaler s) => Enumerable.Range(60, 35).Select(o => Math.Abs(s.Decode(o, 1, 0) - y[o + 1]) / y[o + 1]).Average();
        // Last year's value × the year's growth is within the 1 % noise; the level alone misses the season.
        Assert.True(Error(seasonal) < 0.03, $"seasonal base error {Error(seasonal)}");
        Assert.True(Error(plain) > 3 * Error(seasonal), $"plain {Error(plain)} vs seasonal {Error(seasonal)}");
    }

    [Fact]
    public void Inputs_are_relative_to_the_window_level_and_in_units_of_the_spread()
    {
        var y = Airline(60);
        var a = SeriesScaler.Fit(y, 40, log: true, SeasonStyle.None, SeasonalProfile.None, 1);
        var scaled = SeriesScaler.Fit(y.Select(v => v * 1000).ToArray(), 40, log: true, SeasonStyle.None, SeasonalProfile.None, 1);
        var (x, z) = (new float[3], new float[3]);
        for (int o = 20; o < 50; o++)
        {
            a.Inputs(o, o, x);
            Assert.Equal(0f, x[0]); // the origin's own row is the level
            for (int r = o - 10; r <= o; r++)
            {
                a.Inputs(o, r, x);
                scaled.Inputs(o, r, z);
                for (int c = 0; c < 3; c++) Assert.Equal(x[c], z[c], 4); // a series ×1000 reads the same (logs)
            }
        }
    }

    [Fact]
    public void Profile_recovers_an_additive_season_around_a_line()
    {
        double[] index = [3, -1, -2, 0];
        var v = Enumerable.Range(0, 40).Select(t => 0.5 * t + index[t % 4]).ToArray();
        var profile = SeasonalProfile.Estimate(v, 4);
        Assert.Equal(4, profile.Period);
        for (int p = 0; p < 4; p++) Assert.Equal(index[p], profile.At(p), 9);
        Assert.Same(SeasonalProfile.None, SeasonalProfile.Estimate(v.AsSpan(0, 7), 4)); // fewer than two periods
    }

    [Fact]
    public void Season_detection_finds_the_period_and_none_in_noise()
    {
        var random = new Random(5);
        var seasonal = Enumerable.Range(0, 200).Select(t => 0.1 * t + 5 * Math.Sin(2 * Math.PI * t / 12) + random.NextDouble()).ToArray();
        Assert.Equal(12, SeasonDetector.Detect(seasonal));
        var daily = Enumerable.Range(0, 1500).Select(t => 10 * Math.Cos(2 * Math.PI * t / 365.25) + 3 * (random.NextDouble() - 0.5)).ToArray();
        Assert.Equal(365, SeasonDetector.Detect(daily));
        var noise = Enumerable.Range(0, 300).Select(_ => random.NextDouble()).ToArray();
        Assert.Null(SeasonDetector.Detect(noise));
    }
}
