using System.Text.Json.Nodes;

namespace Recur.Layers.Recurrent;

/// <summary>
/// The checks and the saved form of the options that change a cell's equations
/// (<see cref="RecurrentOptions.ProjectionSize"/>, <see cref="RecurrentOptions.InputDropout"/>,
/// <see cref="RecurrentOptions.RecurrentDropout"/>). A configuration key is written only when
/// its option is on, so files of plain layers stay as they were, and read as off when absent.
/// </summary>
internal static class RecurrentVariants
{
    /// <summary>Throws when an option is outside its range for a layer of <paramref name="units"/> units.</summary>
    public static void Validate(RecurrentOptions options, int units)
    {
        Rate(nameof(RecurrentOptions.InputDropout), options.InputDropout);
        Rate(nameof(RecurrentOptions.RecurrentDropout), options.RecurrentDropout);
        int p = options.ProjectionSize;
        if (p != 0 && (p < 1 || p >= units))
            throw new ArgumentOutOfRangeException(nameof(options), p,
                $"ProjectionSize is {p}; expected 0 (no projection) or a value in [1, {units - 1}] (below the {units} units).");
    }

    private static void Rate(string name, float rate)
    {
        if (!(rate >= 0f && rate < 1f))
            throw new ArgumentOutOfRangeException("options", rate, $"{name} is {rate}; expected a value in [0, 1).");
    }

    /// <summary>
    /// Throws for recurrent dropout on a GRU: its h_{t−1} also enters the interpolation
    /// z ⊙ h_{t−1}, which Keras leaves undropped, and the loop's masking covers only cells whose
    /// h_{t−1} reaches the step through the recurrent projection alone.
    /// </summary>
    public static void RequireNoRecurrentDropout(RecurrentOptions options, string layerType)
    {
        if (options.RecurrentDropout != 0f)
            throw new ArgumentOutOfRangeException(nameof(options), options.RecurrentDropout,
                $"RecurrentDropout is {options.RecurrentDropout}; a {layerType} supports only 0 (recurrent dropout is available for Lstm and SimpleRnn; InputDropout works for every cell).");
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
        if (options.InputDropout != 0f) config["input_dropout"] = options.InputDropout;
        if (options.RecurrentDropout != 0f) config["recurrent_dropout"] = options.RecurrentDropout;
    }

    public static RecurrentOptions FromConfig(LayerConfig c, RecurrentOptions options) => options with
    {
        ProjectionSize = c.OptionalInt("proj_size") ?? 0,
        InputDropout = c.Json["input_dropout"] is null ? 0f : c.Float("input_dropout"),
        RecurrentDropout = c.Json["recurrent_dropout"] is null ? 0f : c.Float("recurrent_dropout"),
    };
}
