using System.Globalization;
using System.Text;
using Recur.Cli.Output;

namespace Recur.Cli.Forecasting;

/// <summary><c>predictions.csv</c> and <c>forecast.svg</c> of a forecast run.</summary>
internal static class ForecastOutputs
{
    /// <summary>
    /// One row per test target: [id,] line, actual, then per step j the forecast made j rows
    /// before and its interval (columns <c>forecast</c>, <c>lower</c>, <c>upper</c> when h = 1, else
    /// <c>forecast_j</c>, <c>lower_j</c>, <c>upper_j</c>), then the step-1 baselines.
    /// </summary>
    public static void WritePredictions(string path, IReadOnlyList<PreparedSeries> series, IReadOnlyList<ScoredForecast> test, int horizon)
    {
        bool ids = series.Count > 1 || series[0].Data.Id.Length > 0;
        bool seasonal = test.Any(f => !double.IsNaN(f.SeasonalNaive));
        string Suffix(int j) => horizon == 1 ? "" : "_" + j;
        var sb = new StringBuilder(ids ? "id," : "");
        sb.Append("line,actual");
        for (int j = 1; j <= horizon; j++) sb.Append($",forecast{Suffix(j)},lower{Suffix(j)},upper{Suffix(j)}");
        sb.Append(",naive").Append(seasonal ? ",seasonal_naive" : "").Append('\n');
        foreach (var target in test.GroupBy(f => (f.Series, Row: f.Origin + f.Step)).OrderBy(g => g.Key.Series).ThenBy(g => g.Key.Row))
        {
            var s = series[target.Key.Series];
            var byStep = target.ToDictionary(f => f.Step);
            if (ids) sb.Append(Quote(s.Data.Id)).Append(',');
            sb.Append(s.Data.Lines[target.Key.Row]).Append(',').Append(F(s.Data.Y[target.Key.Row]));
            for (int j = 1; j <= horizon; j++)
                sb.Append(byStep.TryGetValue(j, out var f) ? $",{F(f.Forecast)},{F(f.Lower)},{F(f.Upper)}" : ",,,");
            var first = byStep.GetValueOrDefault(1, target.First());
            sb.Append(',').Append(byStep.ContainsKey(1) ? F(first.Naive) : "");
            if (seasonal) sb.Append(',').Append(byStep.ContainsKey(1) ? F(first.SeasonalNaive) : "");
            sb.Append('\n');
        }
        JsonFiles.WriteAtomic(path, new UTF8Encoding(false).GetBytes(sb.ToString()));
    }

    /// <summary>The first series' test span: actual, the step-1 forecast, its interval and the better-known baseline.</summary>
    public static void Plot(string path, IReadOnlyList<PreparedSeries> series, IReadOnlyList<ScoredForecast> test, string target, string model, double level)
    {
        var first = test.Where(f => f.Series == 0 && f.Step == 1).OrderBy(f => f.Origin).ToList();
        var s = series[0];
        string title = $"forecast of {target}{(s.Data.Id.Length > 0 ? $" ({s.Data.Id})" : "")}: test span, one step ahead";
        var plot = new SvgPlot(title, "line", target);
        var xs = first.Select(f => (double)s.Data.Lines[f.Origin + 1]).ToArray();
        plot.Add("actual", xs, first.Select(f => f.Actual).ToArray());
        plot.Add(model, xs, first.Select(f => f.Forecast).ToArray());
        string band = $"{Math.Round(level * 100)} % interval";
        plot.Add(band + " (low)", xs, first.Select(f => f.Lower).ToArray(), dashed: true, color: SvgPlot.Color(1));
        plot.Add(band + " (high)", xs, first.Select(f => f.Upper).ToArray(), dashed: true, color: SvgPlot.Color(1));
        if (first.Any(f => !double.IsNaN(f.SeasonalNaive))) plot.Add($"seasonal naive ({s.Season})", xs, first.Select(f => f.SeasonalNaive).ToArray(), dashed: true);
        else plot.Add("naive", xs, first.Select(f => f.Naive).ToArray(), dashed: true);
        plot.Save(path);
    }

    private static string F(double v) => double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "";

    private static string Quote(string s) => s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
