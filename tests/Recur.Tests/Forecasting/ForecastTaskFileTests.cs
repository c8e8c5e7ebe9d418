using System.Text.Json.Nodes;
using Recur.Cli.Common;
using Recur.Cli.Forecasting;

namespace Recur.Tests.Forecasting;

/// <summary>task.json of a forecast run read back: the seasonal AR of format 5, the seasonal smoothing weight γ of format 4, fixed profiles (γ = 0) of format 3.</summary>
public class ForecastTaskFileTests
{
    private static JsonObject Task(int format, double? gamma, JsonNode? seasonalAr = null)
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
        if (seasonalAr is not null) series["seasonal_ar"] = seasonalAr;
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
    [InlineData(6, 0.1, "newer than the format 5")]
    public void Bad_gamma_or_format_is_one_clear_message(int format, double? gamma, string fragment)
    {
        var e = Assert.Throws<InputException>(() => ForecastTaskFile.Read(Task(format, gamma), "task.json", 1));
        Assert.Contains(fragment, e.Message);
    }

    private static JsonObject Ar(JsonNode? period, JsonNode? drift, JsonNode? phi) => new() { ["period"] = period, ["drift"] = drift, ["phi"] = phi };

    [Fact]
    public void Seasonal_ar_is_read_from_format_5_and_drives_the_restored_base()
    {
        var (series, _, _, _) = ForecastTaskFile.Read(Task(5, 0.2, Ar(4, 0.01, -0.5)), "task.json", 1);
        Assert.Equal(new SeasonalAr(4, 0.01, -0.5), series[0].Ar);
        var (none, _, _, _) = ForecastTaskFile.Read(Task(5, 0.2), "task.json", 1); // no field: the base alone
        Assert.Null(none[0].Ar);
        var (older, _, _, _) = ForecastTaskFile.Read(Task(4, 0.2, Ar(4, 0.01, -0.5)), "task.json", 1); // format 4 had none
        Assert.Null(older[0].Ar);
        // The combined base needs two seasons of history (the AR reads row o + 1 − 2m); its forecast is the mean of both.
        Assert.Equal(8, series[0].MinHistory(3));
        Assert.Equal(3, none[0].MinHistory(3));
        var y = Enumerable.Range(0, 40).Select(t => 10 + Math.Sin(t) + (t % 4)).ToArray();
        var v = y.Select(x => Math.Log(x)).ToArray();
        Assert.Equal(0.5 * (none[0].Scaler(y).Base(38, 1) + series[0].Ar!.Forecast(v, 38, 1)), series[0].Scaler(y).Base(38, 1), 12);
    }

    [Theory]
    [InlineData("[1]", "\"series[0].seasonal_ar\" should be null or an object")]
    [InlineData("{\"period\": 1, \"drift\": 0, \"phi\": 0}", "\"series[0].seasonal_ar.period\" should be an integer ≥ 2")]
    [InlineData("{\"period\": 4, \"drift\": \"x\", \"phi\": 0}", "\"series[0].seasonal_ar.drift\" should be a finite number")]
    [InlineData("{\"period\": 4, \"drift\": 0, \"phi\": 1.5}", "\"series[0].seasonal_ar.phi\" should be a number in [-0.99, 0.99]")]
    public void Bad_seasonal_ar_is_one_clear_message(string json, string fragment)
    {
        var e = Assert.Throws<InputException>(() => ForecastTaskFile.Read(Task(5, 0.2, JsonNode.Parse(json)), "task.json", 1));
        Assert.Contains(fragment, e.Message);
    }
}
