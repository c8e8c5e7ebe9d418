using Recur.Training;
using Monitor = Recur.Training.Monitor;

namespace Recur.Tests.Training;

public class MonitorTests
{
    [Theory]
    [InlineData("val_loss", MonitorMode.Auto, false)]
    [InlineData("val_accuracy", MonitorMode.Auto, true)]
    [InlineData("binary_ACC", MonitorMode.Auto, true)] // "acc" in any case
    [InlineData("val_accuracy", MonitorMode.Min, false)]
    [InlineData("loss", MonitorMode.Max, true)]
    public void The_mode_decides_whether_up_or_down_is_better(string key, MonitorMode mode, bool higherIsBetter)
    {
        var m = new Monitor(key, mode, 0);
        Assert.Equal(higherIsBetter ? double.NegativeInfinity : double.PositiveInfinity, m.Best);
        Assert.True(m.Improved(1));
        Assert.Equal(higherIsBetter, m.Improved(2));
        Assert.Equal(!higherIsBetter, m.Improved(0.5));
        Assert.Equal(higherIsBetter ? 2 : 0.5, m.Best);
    }

    [Fact]
    public void An_improvement_must_beat_the_best_by_more_than_min_delta()
    {
        var down = new Monitor("loss", MonitorMode.Min, 0.25);
        Assert.True(down.Improved(1));
        Assert.False(down.Improved(0.75)); // exactly 0.25 better: not more
        Assert.False(down.Improved(0.8));
        Assert.Equal(1, down.Best);
        Assert.True(down.Improved(0.7));
        Assert.Equal(0.7, down.Best);

        var up = new Monitor("accuracy", MonitorMode.Auto, 0.25);
        Assert.True(up.Improved(0.5));
        Assert.False(up.Improved(0.75)); // exactly 0.25 better
        Assert.True(up.Improved(0.875));

        var exact = new Monitor("loss", MonitorMode.Min, 0);
        Assert.True(exact.Improved(1));
        Assert.False(exact.Improved(1)); // equal is not better
        Assert.False(exact.Improved(double.NaN));
        Assert.Equal(1, exact.Best);
    }

    [Fact]
    public void A_negative_min_delta_and_a_missing_key_are_refused_with_what_is_logged()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Monitor("loss", MonitorMode.Auto, -0.1));
        Assert.Equal("minDelta", e.ParamName);
        Assert.Equal(-0.1, e.ActualValue);
        Assert.StartsWith("minDelta must be ≥ 0.", e.Message, StringComparison.Ordinal);
        new Monitor("loss", MonitorMode.Auto, 0); // 0 is allowed

        var m = new Monitor("val_loss", MonitorMode.Auto, 0);
        Assert.Equal(0.5, m.Read(new Dictionary<string, double> { ["val_loss"] = 0.5 }, "Owner"));
        var missing = Assert.Throws<InvalidOperationException>(() => m.Read(new Dictionary<string, double> { ["loss"] = 1, ["lr"] = 0.1 }, "Owner"));
        Assert.Equal("Owner monitors 'val_loss', which is not logged; logged: loss, lr. Pass validation data for val_ quantities, or monitor another key.", missing.Message);
    }
}
