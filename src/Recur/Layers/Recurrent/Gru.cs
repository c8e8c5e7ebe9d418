using System.Text.Json.Nodes;
using Recur.Layers.Recurrent.Normalized;

namespace Recur.Layers.Recurrent;

/// <summary>
/// Gated recurrent unit layer. Input (B, T, I); output (B, T, W) or (B, W) (see
/// <see cref="RecurrentLayer"/>); state (L·D, B, H). Gates in PyTorch's order r, z, n.
/// </summary>
/// <remarks>
/// <c>resetAfter</c> = true (default) is PyTorch's GRU and Keras' default
/// (reset gate applied after the recurrent multiply); false is the original Cho et al. form
/// (Keras <c>reset_after=False</c>), where the reset gate scales the state before the multiply.
/// Recurrent dropout works in both: the mask on h_{t−1} enters the r, z and n multiplies (resetting
/// before, as r ⊙ (h_{t−1} ⊙ m_h)), the interpolation z ⊙ h_{t−1} sees the carried state.
/// </remarks>
public sealed class Gru : RecurrentLayer
{
    /// <summary>Creates a GRU with the given options.</summary>
    public Gru(int units, RecurrentOptions options, bool resetAfter = true, string? name = null) : base(units, options, name)
    {
        RecurrentVariants.RequireLstmOnly(Options, nameof(Gru));
        if (Options.LayerNorm && !resetAfter)
            throw new ArgumentOutOfRangeException(nameof(resetAfter), resetAfter,
                "resetAfter is false with LayerNorm true; a layer-normalised GRU resets after the recurrent multiply: expected resetAfter true (or LayerNorm false).");
        ResetAfter = resetAfter;
    }

    /// <summary>Creates a GRU; the other arguments are those of <see cref="RecurrentOptions"/>.</summary>
    public Gru(int units, bool returnSequences = false, int numLayers = 1, bool bidirectional = false,
        MergeMode mergeMode = MergeMode.Concat, RecurrentInit initialization = RecurrentInit.Keras,
        float dropout = 0f, bool resetAfter = true, string? name = null)
        : this(units, RecurrentOptions.Of(returnSequences, numLayers, bidirectional, mergeMode, initialization, dropout), resetAfter, name) { }

    /// <summary>True: reset gate after the recurrent multiply (PyTorch, Keras default). False: Cho et al.</summary>
    public bool ResetAfter { get; }

    internal override RecurrentLayer WithOptions(RecurrentOptions options) => new Gru(Units, options, ResetAfter, Name);

    /// <inheritdoc/>
    protected override int GateCount => 3;

    private protected override void AddConfig(JsonObject config) => config["reset_after"] = ResetAfter;

    internal static Gru FromConfig(LayerConfig c) => new(c.Int("units", min: 1), OptionsFrom(c), c.Bool("reset_after"), c.LayerName);

    private protected override RecurrentCell CreateCell(Tensor weightHh, Tensor biasHh) => new GruCell(Units, ResetAfter, weightHh, biasHh);

    private protected override RecurrentCell CreateCell(Tensor weightHh, Tensor biasHh, Parameter? projection, LayerNormWeights? norm)
        => norm is null ? CreateCell(weightHh, biasHh) : new LayerNormGruCell(Units, weightHh, biasHh, norm);
}
