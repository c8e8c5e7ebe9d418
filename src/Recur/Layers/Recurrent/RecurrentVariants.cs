using System.Text.Json.Nodes;

namespace Recur.Layers.Recurrent;

/// <summary>
/// The checks and the saved form of the options that change a cell's equations
/// (<see cref="RecurrentOptions.ProjectionSize"/>, <see cref="RecurrentOptions.InputDropout"/>,
/// <see cref="RecurrentOptions.RecurrentDropout"/>, <see cref="RecurrentOptions.LayerNorm"/>,
/// <see cref="RecurrentOptions.ZoneoutHidden"/>, <see cref="RecurrentOptions.ZoneoutCell"/>). A configuration key is written only when
/// its option is on, so files of plain layers stay as they were, and read as off when absent.
/// </summary>
internal static class RecurrentVariants
{
    /// <summary>Throws when an option is outside its range for a layer of <paramref name="units"/> units.</summary>
    public static void Validate(RecurrentOptions options, int units)
    {
        Rate(nameof(RecurrentOptions.InputDropout), options.InputDropout);
        Rate(nameof(RecurrentOptions.RecurrentDropout), options.RecurrentDropout);
        Rate(nameof(RecurrentOptions.ZoneoutHidden), options.ZoneoutHidden);
        Rate(nameof(RecurrentOptions.ZoneoutCell), options.ZoneoutCell);
        int p = options.ProjectionSize;
        if (p != 0 && (p < 1 || p >= units))
            throw new ArgumentOutOfRangeException(nameof(options), p,
                $"ProjectionSize is {p}; expected 0 (no projection) or a value in [1, {units - 1}] (below the {units} units).");
        if (p != 0 && options.LayerNorm)
            throw new ArgumentOutOfRangeException(nameof(options), p,
                $"ProjectionSize is {p} with LayerNorm true; a layer-normalised LSTM has no projection: expected ProjectionSize 0 (or LayerNorm false).");
    }

    private static void Rate(string name, float rate)
    {
        if (!(rate >= 0f && rate < 1f))
            throw new ArgumentOutOfRangeException("options", rate, $"{name} is {rate}; expected a value in [0, 1).");
    }

    /// <summary>Throws when a cell other than the LSTM is given an LSTM-only option.</summary>
    public static void RequireLstmOnly(RecurrentOptions options, string layerType)
    {
        if (options.ProjectionSize != 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.ProjectionSize,
                $"ProjectionSize is {options.ProjectionSize}; a {layerType} has no projection: expected 0 (projections are an LSTM option).");
        if (options.ZoneoutCell != 0f)
            throw new ArgumentOutOfRangeException(nameof(options), options.ZoneoutCell,
                $"ZoneoutCell is {options.ZoneoutCell}; a {layerType} has no cell state: expected 0 (ZoneoutHidden works for every cell).");
    }

    /// <summary>Throws for layer normalisation on a cell that has no layer-normalised form.</summary>
    public static void RequireNoLayerNorm(RecurrentOptions options, string layerType)
    {
        if (options.LayerNorm)
            throw new ArgumentOutOfRangeException(nameof(options), options.LayerNorm,
                $"LayerNorm is true; a {layerType} supports only false (layer normalisation is available for Lstm and Gru).");
    }

    public static void AddConfig(RecurrentOptions options, JsonObject config)
    {
        if (options.ProjectionSize != 0) config["proj_size"] = options.ProjectionSize;
        if (options.InputDropout != 0f) config["input_dropout"] = options.InputDropout;
        if (options.RecurrentDropout != 0f) config["recurrent_dropout"] = options.RecurrentDropout;
        if (options.LayerNorm) config["layer_norm"] = true;
        if (options.ZoneoutHidden != 0f) config["zoneout_hidden"] = options.ZoneoutHidden;
        if (options.ZoneoutCell != 0f) config["zoneout_cell"] = options.ZoneoutCell;
    }

    public static RecurrentOptions FromConfig(LayerConfig c, RecurrentOptions options) => options with
    {
        ProjectionSize = c.OptionalInt("proj_size") ?? 0,
        InputDropout = OptionalFloat(c, "input_dropout"),
        RecurrentDropout = OptionalFloat(c, "recurrent_dropout"),
        LayerNorm = c.Json["layer_norm"] is not null && c.Bool("layer_norm"),
        ZoneoutHidden = OptionalFloat(c, "zoneout_hidden"),
        ZoneoutCell = OptionalFloat(c, "zoneout_cell"),
    };

    private static float OptionalFloat(LayerConfig c, string key) => c.Json[key] is null ? 0f : c.Float(key);
}
