using System.Text.Json.Nodes;
using Recur.Cli.Common;
using Recur.Cli.Forecasting;

namespace Recur.Tests.Forecasting;

/// <summary>task.json of a forecast run read back: the seasonal smoothing weight γ of format 4, fixed profiles (γ = 0) of format 3.</summary>
public class ForecastTaskFileTests
{
    private static JsonObject Task(int format, double? gamma)
    {
        var series = new JsonObject
        {
            ["id"] = "",
            ["log"] = true,
            ["sigma"] = 0.05,
            ["sigma_v"] = 0.1,
            ["sigma_slow"] = 0.2,
            ["season"] = 4,
            ["base"] = "Profile",
            ["alpha"] = 0.3,
            ["seasonal_index"] = new JsonArray(0.1, -0.2, 0.3, -0.2),
        };
        if (gamma is { } g) series["gamma"] = g;
        return new JsonObject
        {
            ["format"] = format,
            ["blend"] = 0.5,
            ["interval"] = new JsonObject { ["level"] = 0.8, ["residuals"] = new JsonArray(new JsonArray(-1.0, 1.0)) },
            ["series"] = new JsonArray(series),
        };
    }

    [Fact]
    public void Gamma_is_read_from_format_4_and_is_0_in_format_3()
    {
        var (series, _, _, _) = ForecastTaskFile.Read(Task(4, 0.2), "task.json", 1);
        Assert.Equal(0.2, series[0].Gamma);
        var (old, _, _, _) = ForecastTaskFile.Read(Task(3, null), "task.json", 1);
        Assert.Equal(0, old[0].Gamma);
        // The saved γ drives the restored scaler: its seasonal states move with the data.
        var y = Enumerable.Range(0, 40).Select(t => 10 + Math.Sin(t) + (t % 4)).ToArray();
        Assert.NotEqual(old[0].Scaler(y).Base(38, 1), series[0].Scaler(y).Base(38, 1));
    }

    [Theory]
    [InlineData(4, null, "\"series[0].gamma\" should be a number in [0, 1]")]
    [InlineData(4, 1.5, "\"series[0].gamma\" should be a number in [0, 1]")]
    [InlineData(2, 0.1, "format 2")]
    [InlineData(5, 0.1, "newer than the format 4")]
    public void Bad_gamma_or_format_is_one_clear_message(int format, double? gamma, string fragment)
    {
        var e = Assert.Throws<InputException>(() => ForecastTaskFile.Read(Task(format, gamma), "task.json", 1));
        Assert.Contains(fragment, e.Message);
    }
}
