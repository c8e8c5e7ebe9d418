using System.Text.Json.Nodes;

namespace Recur.Layers.Recurrent;

/// <summary>
/// Fully connected (Elman) recurrent layer: <c>h_t = act(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh)</c>.
/// Input (B, T, I); output (B, T, W) or (B, W) (see <see cref="RecurrentLayer"/>); state (L·D, B, H).
/// </summary>
public sealed class SimpleRnn : RecurrentLayer
{
    /// <summary>Creates a SimpleRNN with the given options.</summary>
    public SimpleRnn(int units, RecurrentOptions options, RnnActivation activation = RnnActivation.Tanh, string? name = null)
        : base(units, options, name)
    {
        RecurrentVariants.RequireLstmOnly(Options, nameof(SimpleRnn));
        RecurrentVariants.RequireNoLayerNorm(Options, nameof(SimpleRnn));
        Activation = activation;
    }

    /// <summary>Creates a SimpleRNN; the other arguments are those of <see cref="RecurrentOptions"/>.</summary>
    public SimpleRnn(int units, bool returnSequences = false, int numLayers = 1, bool bidirectional = false,
        MergeMode mergeMode = MergeMode.Concat, RecurrentInit initialization = RecurrentInit.Keras,
        float dropout = 0f, RnnActivation activation = RnnActivation.Tanh, string? name = null)
        : this(units, RecurrentOptions.Of(returnSequences, numLayers, bidirectional, mergeMode, initialization, dropout), activation, name) { }

    /// <summary>The nonlinearity (tanh or relu).</summary>
    public RnnActivation Activation { get; }

    internal override RecurrentLayer WithOptions(RecurrentOptions options) => new SimpleRnn(Units, options, Activation, Name);

    /// <inheritdoc/>
    protected override int GateCount => 1;

    private protected override void AddConfig(JsonObject config) => config["activation"] = Activation.ToString();

    internal static SimpleRnn FromConfig(LayerConfig c) => new(c.Int("units", min: 1), OptionsFrom(c), c.Enum<RnnActivation>("activation"), c.LayerName);

    private protected override RecurrentCell CreateCell(Tensor weightHh, Tensor biasHh) => new SimpleRnnCell(Units, Activation, weightHh, biasHh);
}
