using System.Text.Json.Nodes;

namespace Recur.Layers.Recurrent;

/// <summary>
/// The checks and the saved form of the options that change a cell's equations
/// (<see cref="RecurrentOptions.ProjectionSize"/>). A configuration key is written only when
/// its option is on, so files of plain layers stay as they were, and read as off when absent.
/// </summary>
internal static class RecurrentVariants
{
    /// <summary>Throws when an option is outside its range for a layer of <paramref name="units"/> units.</summary>
    public static void Validate(RecurrentOptions options, int units)
    {
        int p = options.ProjectionSize;
        if (p != 0 && (p < 1 || p >= units))
            throw new ArgumentOutOfRangeException(nameof(options), p,
                $"ProjectionSize is {p}; expected 0 (no projection) or a value in [1, {units - 1}] (below the {units} units).");
    }

    /// <summary>Throws when a cell other than the LSTM is given an LSTM-only option.</summary>
    public static void RequireLstmOnly(RecurrentOptions options, string layerType)
    {
        if (options.ProjectionSize != 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.ProjectionSize,
                $"ProjectionSize is {options.ProjectionSize}; a {layerType} has no projection: expected 0 (projections are an LSTM option).");
    }

    public static void AddConfig(RecurrentOptions options, JsonObject config)
    {
        if (options.ProjectionSize != 0) config["proj_size"] = options.ProjectionSize;
    }

    public static RecurrentOptions FromConfig(LayerConfig c, RecurrentOptions options) => options with
    {
        ProjectionSize = c.OptionalInt("proj_size") ?? 0,
    };
}
