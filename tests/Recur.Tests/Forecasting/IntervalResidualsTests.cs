using Recur.Cli.Forecasting;

namespace Recur.Tests.Forecasting;

/// <summary>The interval's residuals: every validation residual, and the fit span's base errors scaled by the network's validation gain.</summary>
public class IntervalResidualsTests
{
    [Fact]
    public void Fit_errors_are_scaled_by_the_root_of_the_validation_gain_ratio()
    {
        // Σz² = 4 + 4 = 8, Σe² = 1 + 1 = 2: ρ = 1/4, the fit errors are halved.
        var pool = IntervalResiduals.Pool([2, -2], [1, -1], [3, -4, 0.5]);
        Assert.Equal([1, -1, 1.5, -2, 0.25], pool);
        Assert.Equal(0.25, IntervalResiduals.GainRatio([2, -2], [1, -1]), 12);
    }

    [Fact]
    public void Without_a_network_gain_the_pool_is_every_base_error_before_the_test_span()
    {
        var pool = IntervalResiduals.Pool([0.5, -1], [0.5, -1], [2, -3]);
        Assert.Equal([0.5, -1, 2, -3], pool);
        Assert.Equal([0.0], IntervalResiduals.Pool([], [], [])); // nothing seen: a zero-width residual
        Assert.Equal(1, IntervalResiduals.GainRatio([0, 0], [0, 0]));
    }

    [Fact]
    public void Long_fit_spans_are_thinned_evenly_and_every_validation_residual_is_kept()
    {
        var fit = Enumerable.Range(0, 3 * IntervalResiduals.MaxFitErrors + 1).Select(r => (double)r).ToArray();
        var validation = Enumerable.Range(0, 50).Select(r => r % 2 == 0 ? 1.0 : -1.0).ToArray();
        var pool = IntervalResiduals.Pool(validation, validation, fit);
        // 6,001 errors, stride 4: rows 0, 4, … 6,000.
        Assert.Equal(50 + 1501, pool.Length);
        Assert.Equal(validation, pool.Take(50));
        Assert.Equal(Enumerable.Range(0, 1501).Select(r => 4.0 * r), pool.Skip(50));
        Assert.True(pool.Length - 50 <= IntervalResiduals.MaxFitErrors);
    }

    [Fact]
    public void Mismatched_validation_lists_name_the_argument_and_both_lengths()
    {
        var e = Assert.Throws<ArgumentException>(() => IntervalResiduals.Pool([1, 2], [1], []));
        Assert.Equal("validationResiduals", e.ParamName);
        Assert.Contains("2 validation targets but 1 residuals", e.Message);
    }

    [Fact]
    public void Coverage_counts_the_bounds_as_inside_and_the_width_is_the_mean_of_upper_minus_lower()
    {
        ScoredForecast F(double actual, double lower, double upper) => new(0, 0, 1, actual, (lower + upper) / 2, lower, upper, 0, double.NaN);
        var f = new[] { F(1, 1, 3), F(3, 1, 3), F(0.9, 1, 3), F(5, 2, 8), F(9, 2, 8) };
        Assert.Equal(3.0 / 5, Scores.Coverage(f), 12);
        Assert.Equal((2 + 2 + 2 + 6 + 6) / 5.0, Scores.MeanWidth(f), 12);
    }
}
