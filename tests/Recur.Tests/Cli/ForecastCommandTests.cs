using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Recur.Cli.Forecasting;
using ForecastWindows = Recur.Cli.Forecasting.Windows; // "Windows" alone is also a namespace of the ASP.NET Core framework that Recur.Cli brings through Recur.Serve

namespace Recur.Tests.Cli;

/// <summary><c>recur forecast</c> end to end: the keys it reports, multi-step and long-format runs, and that test rows never reach fitting or selection.</summary>
public class ForecastCommandTests
{
    private static readonly string[] Fast = ["--units", "8", "--epochs", "4", "--ensemble", "2", "--seed", "3", "--quiet"];

    /// <summary>A monthly multiplicative seasonal series with growth and deterministic noise; rows from <paramref name="testFrom"/> on multiplied by <paramref name="testFactor"/>.</summary>
    private static string Monthly(int rows, double scale = 1, int testFrom = int.MaxValue, double testFactor = 1)
    {
        var sb = new StringBuilder("month,value");
        for (int t = 0; t < rows; t++)
        {
            double v = scale * 100 * Math.Pow(1.01, t) * (1 + 0.2 * Math.Sin(2 * Math.PI * t / 12)) * (1 + 0.03 * Math.Sin(7 * t));
            if (t >= testFrom) v *= testFactor;
            sb.Append('\n').Append(CultureInfo.InvariantCulture, $"m{t},{v:0.###}");
        }
        return sb.ToString();
    }

    private static string[] Forecast(string csv, string run, params string[] extra)
        => new[] { "forecast", "--csv", csv, "--out", run }.Concat(extra).Concat(Fast).ToArray();

    [Fact]
    public void Reports_the_metrics_of_the_issue_and_an_interval()
    {
        using var dir = new TempDir();
        var csv = dir.Write("series.csv", Monthly(96));
        string run = dir.File("run");
        var result = CliRun.Of(Forecast(csv, run, "--season", "12", "--test-size", "24"));
        result.ShouldSucceed();
        Assert.Contains("validation slice", result.Output);
        var m = CliRun.Metrics(run);
        foreach (var key in new[] { "test_rmse", "test_mae", "naive_rmse", "seasonal_naive_rmse", "test_mase", "test_smape", "validation_rmse", "validation_naive_rmse", "ensemble" })
            Assert.True(m.ContainsKey(key), $"metrics.json lacks {key}");
        Assert.Equal(2, (int)m["ensemble"]!);
        Assert.Equal(24, (int)m["test_size"]!);
        var lines = File.ReadAllLines(Path.Combine(run, "predictions.csv"));
        Assert.Equal("line,actual,forecast,lower,upper,naive,seasonal_naive", lines[0]);
        Assert.Equal(25, lines.Length);
        foreach (var line in lines.Skip(1))
        {
            var c = line.Split(',').Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
            Assert.True(c[3] <= c[2] && c[2] <= c[4], $"forecast outside its interval: {line}");
        }
        Assert.True(File.Exists(Path.Combine(run, "model-2.recur")));
        Assert.Contains("80 % interval", File.ReadAllText(Path.Combine(run, "forecast.svg")));
    }

    [Fact]
    public void Test_rows_never_reach_fitting_or_selection()
    {
        using var dir = new TempDir();
        var a = dir.Write("a.csv", Monthly(96));
        var b = dir.Write("b.csv", Monthly(96, testFrom: 72, testFactor: 3));
        string runA = dir.File("runA"), runB = dir.File("runB");
        CliRun.Of(Forecast(a, runA, "--test-size", "24")).ShouldSucceed();
        CliRun.Of(Forecast(b, runB, "--test-size", "24")).ShouldSucceed();
        var (ma, mb) = (CliRun.Metrics(runA), CliRun.Metrics(runB));
        foreach (var key in new[] { "train_rmse", "validation_rmse", "validation_naive_rmse", "blend", "best_epoch", "season", "window", "smoothing_alpha", "base" })
            Assert.True(JsonNode.DeepEquals(ma[key], mb[key]), $"{key} changed with the test rows: {ma[key]} vs {mb[key]}");
        Assert.Equal(File.ReadAllBytes(Path.Combine(runA, "model.recur")), File.ReadAllBytes(Path.Combine(runB, "model.recur")));
        // The interval's residuals (validation and fit span) are saved with the model: the same bytes.
        JsonNode Interval(string run) => JsonNode.Parse(File.ReadAllText(Path.Combine(run, "task.json")))!["interval"]!;
        Assert.True(JsonNode.DeepEquals(Interval(runA), Interval(runB)), "the interval's residuals changed with the test rows");
        Assert.NotEqual((double)ma["test_rmse"]!, (double)mb["test_rmse"]!);
    }

    [Fact]
    public void Horizon_gives_one_forecast_and_one_score_per_step()
    {
        using var dir = new TempDir();
        var csv = dir.Write("series.csv", Monthly(96));
        string run = dir.File("run");
        CliRun.Of(Forecast(csv, run, "--horizon", "3", "--test-size", "24")).ShouldSucceed();
        var m = CliRun.Metrics(run);
        for (int j = 1; j <= 3; j++) Assert.True(m.ContainsKey($"test_rmse_step{j}"), $"no test_rmse_step{j}");
        var lines = File.ReadAllLines(Path.Combine(run, "predictions.csv"));
        Assert.StartsWith("line,actual,forecast_1,lower_1,upper_1,forecast_2,lower_2,upper_2,forecast_3,lower_3,upper_3,naive", lines[0]);
        Assert.Equal(25, lines.Length);
        Assert.DoesNotContain(",,", string.Join("\n", lines.Skip(1))); // every test row is forecast at every step
    }

    [Fact]
    public void Multi_step_targets_are_the_next_h_values_against_the_base()
    {
        var y = Enumerable.Range(0, 60).Select(t => 50 + 10 * Math.Sin(t / 3.0) + t).ToArray();
        var series = new Series("", y, y.Select(_ => true).ToArray(), Enumerable.Range(2, 60).ToArray(), []);
        var scaler = SeriesScaler.Fit(y, 40, log: false, SeasonStyle.None, SeasonalProfile.None, 1);
        var split = TimeSplit.Create(60, 10, 10, 6, 4, "s.csv");
        var prepared = new[] { new PreparedSeries(series, scaler, split, 0) };
        var origins = ForecastWindows.Collect(prepared, s => s.FitOrigins());
        var targets = ForecastWindows.Targets(prepared, origins, 4);
        Assert.Equal([origins.Count, 4], targets.ShapeArray);
        var span = targets.Span;
        for (int i = 0; i < origins.Count; i++)
            for (int j = 1; j <= 4; j++)
            {
                int o = origins[i].Time;
                Assert.Equal((float)((y[o + j] - scaler.Base(o, j)) / scaler.Sigma), span[i * 4 + j - 1], 5);
            }
        var inputs = ForecastWindows.Inputs(prepared, origins, 6);
        Assert.Equal([origins.Count, 6, SeriesScaler.Channels], inputs.ShapeArray);
    }

    [Fact]
    public void Long_format_trains_one_model_and_scales_each_series_on_its_own()
    {
        using var dir = new TempDir();
        var sb = new StringBuilder("store,month,sales");
        var a = Monthly(80).Split('\n').Skip(1).ToArray();
        var b = Monthly(80, scale: 1000).Split('\n').Skip(1).ToArray();
        for (int t = 0; t < 80; t++) sb.Append($"\nA,{t},{a[t].Split(',')[1]}\nB,{t},{b[t].Split(',')[1]}"); // interleaved rows
        var csv = dir.Write("long.csv", sb.ToString());
        string run = dir.File("run");
        var result = CliRun.Of(Forecast(csv, run, "--id-column", "store", "--test-size", "16", "--log", "no"));
        result.ShouldSucceed();
        var m = CliRun.Metrics(run);
        Assert.Equal(2, (int)m["series"]!);
        Assert.Equal(32, (int)m["test_size"]!); // the last 16 rows of each series
        var task = (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(run, "task.json")))!;
        var series = task["series"]!.AsArray();
        Assert.Equal("A", (string)series[0]!["id"]!);
        double ratio = (double)series[1]!["sigma"]! / (double)series[0]!["sigma"]!;
        Assert.InRange(ratio, 900, 1100); // B is A × 1000 (up to rounding): its own scale
        var lines = File.ReadAllLines(Path.Combine(run, "predictions.csv"));
        Assert.StartsWith("id,line,actual,forecast", lines[0]);
        Assert.Equal(33, lines.Length);
        Assert.Equal(16, lines.Count(l => l.StartsWith("B,", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("store,month,sales\nA,1,5\nA,3,6\nA,2,7\n", "goes back in time from 3 to 2")]
    [InlineData("store,month,sales\nA,1,5\nA,2,6\nA,2,7\n", "has time 2 twice")]
    [InlineData("store,month,sales\nA,1,5\nB,1,6\nA,2,7\n", "id \"B\" has a single row")]
    [InlineData("store,month,sales\nA,2020-01-02,5\nA,2020-01-01,6\n", "goes back in time")]
    public void Long_format_bad_input_is_one_line(string content, string fragment)
    {
        using var dir = new TempDir();
        var csv = dir.Write("long.csv", content);
        CliRun.Of(Forecast(csv, dir.File("run"), "--id-column", "store")).ShouldFailWithOneLine("long.csv", fragment);
        dir.HoldsOnly("long.csv");
    }

    [Fact]
    public void Constant_and_too_short_series_are_one_line()
    {
        using var dir = new TempDir();
        var constant = dir.Write("flat.csv", "v\n" + string.Join("\n", Enumerable.Repeat("5", 60)));
        CliRun.Of(Forecast(constant, dir.File("run"))).ShouldFailWithOneLine("flat.csv", "constant");
        var shortSeries = dir.Write("short.csv", Monthly(20));
        CliRun.Of(Forecast(shortSeries, dir.File("run"), "--window", "12")).ShouldFailWithOneLine("short.csv", "too short");
        var text = dir.Write("text.csv", "month,value\nm0,1\nm1,2\nm2,three\nm3,4\n");
        CliRun.Of(Forecast(text, dir.File("run"), "--header")).ShouldFailWithOneLine("text.csv line 4", "\"three\" is not a number");
        dir.HoldsOnly("flat.csv", "short.csv", "text.csv");
    }
}
