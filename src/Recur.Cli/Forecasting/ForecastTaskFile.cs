using System.Globalization;
using System.Text.Json.Nodes;
using Recur.Cli.Common;

namespace Recur.Cli.Forecasting;

/// <summary>
/// One series of a forecast run as task.json keeps it: everything its <see cref="SeriesScaler"/>
/// chose on the fit span (log, smoothing base, α and γ, the initial seasonal index, the three spreads,
/// the seasonal AR combined with the base or null), so the same scaling runs over a history posted later.
/// </summary>
internal sealed record SavedSeries(string Id, bool Log, int Season, SeasonStyle Style, double Alpha, double Gamma, double Sigma, double SigmaV, double SigmaSlow,
    SeasonalProfile Profile, SeasonalAr? Ar = null)
{
    /// <summary>m of the seasonal change base (the season), 1 for the others.</summary>
    public int Period => Style == SeasonStyle.SeasonalChange ? Season : 1;

    /// <summary>The fewest values a history needs: a full window and an origin the base forecasts from.</summary>
    public int MinHistory(int window) => Math.Max(window, Math.Max(Style == SeasonStyle.SeasonalChange ? Period : 0, Ar?.FirstOrigin ?? 0) + 1);

    /// <summary>The saved scaling run over <paramref name="y"/> (oldest first, starting where the training series started).</summary>
    public SeriesScaler Scaler(double[] y) => SeriesScaler.Restore(y, Log, Style, Profile, Period, Alpha, Gamma, Sigma, SigmaV, SigmaSlow, Ar);
}

/// <summary>
/// <c>task.json</c> of <c>recur forecast</c>, written and read side by side. Format 3 keeps what a
/// forecast from a new history needs: per series its scaling (<see cref="SavedSeries"/>), the blend
/// α, and the interval's level with its residuals per step (normalised units; validation and fit span, see
/// <see cref="IntervalResiduals"/>; older runs saved the validation residuals alone); format 4
/// adds each series' seasonal smoothing weight γ (a format-3 file has fixed profiles: γ = 0); format 5
/// adds the seasonal AR a base is combined with (<c>"seasonal_ar": {"period", "drift", "phi"}</c>, or null;
/// older files have none).
/// </summary>
internal static class ForecastTaskFile
{
    public const int Format = 5;

    /// <summary>The oldest format read (without γ).</summary>
    public const int OldestFormat = 3;

    public static JsonObject Write(IReadOnlyList<PreparedSeries> prepared, int window, int horizon, int k, EnsembleForecaster forecaster,
        IEnumerable<string> features, string target, TrainSettings s) => new()
        {
            ["task"] = "forecast",
            ["format"] = Format,
            ["target"] = target,
            ["window"] = window,
            ["horizon"] = horizon,
            ["ensemble"] = k,
            ["blend"] = forecaster.Blend,
            ["model"] = s.Describe(),
            ["features"] = new JsonArray(prepared[0].Data.Features.Select(f => (JsonNode?)f.Describe()).ToArray()),
            ["feature_columns"] = new JsonArray(features.Select(f => (JsonNode?)JsonValue.Create(f)).ToArray()),
            ["interval"] = new JsonObject
            {
                ["level"] = forecaster.Level,
                ["residuals"] = new JsonArray(forecaster.Residuals.Select(r => (JsonNode?)Numbers(r)).ToArray()),
            },
            ["series"] = new JsonArray(prepared.Select(p => (JsonNode?)new JsonObject
            {
                ["id"] = p.Data.Id,
                ["log"] = p.Scaler.Log,
                ["sigma"] = p.Scaler.Sigma,
                ["sigma_v"] = p.Scaler.SigmaV,
                ["sigma_slow"] = p.Scaler.SigmaSlow,
                ["season"] = p.Season,
                ["base"] = p.Scaler.Style.ToString(),
                ["alpha"] = p.Scaler.Alpha,
                ["gamma"] = p.Scaler.Gamma,
                ["seasonal_index"] = Numbers(p.Scaler.Profile.Period > 1 ? p.Scaler.Profile.Index : []),
                ["seasonal_ar"] = p.Scaler.Ar is { } ar ? new JsonObject { ["period"] = ar.Period, ["drift"] = ar.Drift, ["phi"] = ar.Phi } : null,
                ["validation_start_line"] = p.Data.Lines[p.Split.ValidationStart],
                ["test_start_line"] = p.Data.Lines[p.Split.TestStart],
            }).ToArray()),
        };

    /// <summary>
    /// The series of a forecast task file, every field checked (type, range, the horizon's residuals).
    /// </summary>
    /// <exception cref="InputException">A field is missing or wrong, naming it and what it should hold.</exception>
    public static (IReadOnlyList<SavedSeries> Series, double Level, double Blend, double[][] Residuals) Read(JsonObject task, string path, int horizon)
    {
        var reader = new Reader(path);
        int format = task["format"] is JsonValue f && f.TryGetValue<int>(out var n) ? n : 0;
        if (format < OldestFormat)
            throw new InputException($"{path}: task.json is format {format}; serving a forecast needs format {OldestFormat} or later (its scaling spreads and interval residuals): train the model again with this recur.");
        if (format > Format)
            throw new InputException($"{path}: task.json is format {format}, newer than the format {Format} this recur reads: serve it with the recur that trained it.");
        double blend = reader.Number(task, "blend", "blend", min: 0, max: 1);
        var interval = task["interval"] as JsonObject ?? throw reader.Bad("interval", "an object with \"level\" and \"residuals\"", task["interval"]);
        double level = reader.Number(interval, "level", "interval.level", min: 0, max: 1);
        if (!(level > 0 && level < 1)) throw reader.Bad("interval.level", "a coverage in (0, 1)", interval["level"]);
        var steps = interval["residuals"] as JsonArray;
        if (steps is null || steps.Count != horizon) throw reader.Bad("interval.residuals", $"a list of {horizon} lists of numbers (one per step)", interval["residuals"]);
        var residuals = new double[horizon][];
        for (int j = 0; j < horizon; j++)
        {
            residuals[j] = reader.Numbers(steps[j], $"interval.residuals[{j}]");
            if (residuals[j].Length == 0) throw reader.Bad($"interval.residuals[{j}]", "a non-empty list of numbers", steps[j]);
        }
        if (task["series"] is not JsonArray { Count: > 0 } list) throw reader.Bad("series", "a non-empty list of series", task["series"]);
        var series = new List<SavedSeries>();
        for (int i = 0; i < list.Count; i++)
        {
            string at = $"series[{i}]";
            var o = list[i] as JsonObject ?? throw reader.Bad(at, "an object", list[i]);
            string id = o["id"] is JsonValue iv && iv.TryGetValue<string>(out var text) ? text : throw reader.Bad(at + ".id", "a string", o["id"]);
            bool log = o["log"] is JsonValue lv && lv.TryGetValue<bool>(out var b) ? b : throw reader.Bad(at + ".log", "true or false", o["log"]);
            int season = o["season"] is JsonValue sv && sv.TryGetValue<int>(out var m) && m >= 0 ? m : throw reader.Bad(at + ".season", "an integer ≥ 0", o["season"]);
            var style = o["base"] is JsonValue bv && bv.TryGetValue<string>(out var name) && Enum.TryParse<SeasonStyle>(name, out var st) && Enum.IsDefined(st)
                ? st : throw reader.Bad(at + ".base", $"one of {string.Join(", ", Enum.GetNames<SeasonStyle>())}", o["base"]);
            if (style == SeasonStyle.SeasonalChange && season < 2) throw reader.Bad(at + ".season", "a season of at least 2 (the base is SeasonalChange)", o["season"]);
            var index = reader.Numbers(o["seasonal_index"], at + ".seasonal_index");
            if (style == SeasonStyle.Profile && index.Length < 2) throw reader.Bad(at + ".seasonal_index", "a seasonal index of at least 2 values (the base is Profile)", o["seasonal_index"]);
            series.Add(new SavedSeries(id, log, season, style,
                reader.Number(o, "alpha", at + ".alpha", min: 0, max: 1),
                format >= 4 ? reader.Number(o, "gamma", at + ".gamma", min: 0, max: 1) : 0,
                reader.Positive(o, "sigma", at + ".sigma"), reader.Positive(o, "sigma_v", at + ".sigma_v"), reader.Positive(o, "sigma_slow", at + ".sigma_slow"),
                style == SeasonStyle.Profile ? SeasonalProfile.FromIndex(index) : SeasonalProfile.None,
                format >= 5 ? reader.Ar(o["seasonal_ar"], at + ".seasonal_ar") : null));
        }
        if (series.GroupBy(s => s.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw reader.Bad("series", "series with distinct ids", JsonValue.Create(twice.Key));
        return (series, level, blend, residuals);
    }

    private static JsonArray Numbers(IEnumerable<double> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    /// <summary>Checked reads of nested fields, failing with the field's path.</summary>
    private sealed class Reader(string path)
    {
        public double Number(JsonObject o, string key, string field, double min, double max)
            => o[key] is JsonValue v && v.TryGetValue<double>(out var d) && d >= min && d <= max ? d
                : throw Bad(field, $"a number in [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}]", o[key]);

        /// <summary>A seasonal AR object (period ≥ 2, finite drift, |phi| ≤ <see cref="SeasonalAr.MaxPhi"/>), or null for none.</summary>
        public SeasonalAr? Ar(JsonNode? node, string field)
        {
            if (node is null) return null;
            if (node is not JsonObject o) throw Bad(field, "null or an object with \"period\", \"drift\" and \"phi\"", node);
            int period = o["period"] is JsonValue pv && pv.TryGetValue<int>(out var m) && m >= 2 ? m : throw Bad(field + ".period", "an integer ≥ 2", o["period"]);
            double drift = o["drift"] is JsonValue dv && dv.TryGetValue<double>(out var c) && double.IsFinite(c) ? c : throw Bad(field + ".drift", "a finite number", o["drift"]);
            return new SeasonalAr(period, drift, Number(o, "phi", field + ".phi", min: -SeasonalAr.MaxPhi, max: SeasonalAr.MaxPhi));
        }

        public double Positive(JsonObject o, string key, string field)
            => o[key] is JsonValue v && v.TryGetValue<double>(out var d) && d > 0 && double.IsFinite(d) ? d : throw Bad(field, "a positive finite number", o[key]);

        public double[] Numbers(JsonNode? node, string field)
        {
            if (node is not JsonArray a) throw Bad(field, "a list of numbers", node);
            var values = new double[a.Count];
            for (int i = 0; i < a.Count; i++)
                values[i] = a[i] is JsonValue v && v.TryGetValue<double>(out var d) && double.IsFinite(d) ? d : throw Bad($"{field}[{i}]", "a finite number", a[i]);
            return values;
        }

        public InputException Bad(string field, string expected, JsonNode? found)
            => new($"{path}: task.json \"{field}\" should be {expected}; found {(found is null ? "nothing" : Limits.Quote(Shorten(found.ToJsonString())))}.");

        private static string Shorten(string json) => json.Length <= 80 ? json : json[..77] + "...";
    }
}
