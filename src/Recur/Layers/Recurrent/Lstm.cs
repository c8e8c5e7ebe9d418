using Recur.Layers.Recurrent.Normalized;

namespace Recur.Layers.Recurrent;

/// <summary>
/// Long short-term memory layer. Input (B, T, I); output (B, T, W) or (B, W) (see
/// <see cref="RecurrentLayer"/>); states (L·D, B, H) for h and c. Gates in PyTorch's order
/// i, f, g, o; four gate blocks of H rows in each weight. With
/// <see cref="RecurrentOptions.ProjectionSize"/> P, h is (L·D, B, P) and each direction outputs P.
/// With <see cref="RecurrentOptions.LayerNorm"/> the cell is layer-normalised (Ba et al. 2016).
/// </summary>
/// <example>
/// <code>
/// var lstm = new Lstm(64, returnSequences: true);
/// Tensor y = lstm.Forward(x);            // x (B, T, I) → y (B, T, 64)
/// </code>
/// </example>
public sealed class Lstm : RecurrentLayer
{
    /// <summary>Creates an LSTM with <paramref name="units"/> hidden units and the given options.</summary>
    public Lstm(int units, RecurrentOptions options, string? name = null) : base(units, options, name) { }

    /// <summary>Creates an LSTM; the arguments are those of <see cref="RecurrentOptions"/>.</summary>
    public Lstm(int units, bool returnSequences = false, int numLayers = 1, bool bidirectional = false,
        MergeMode mergeMode = MergeMode.Concat, RecurrentInit initialization = RecurrentInit.Keras,
        float dropout = 0f, string? name = null)
        : base(units, RecurrentOptions.Of(returnSequences, numLayers, bidirectional, mergeMode, initialization, dropout), name) { }

    internal override RecurrentLayer WithOptions(RecurrentOptions options) => new Lstm(Units, options, Name);

    /// <inheritdoc/>
    protected override int GateCount => 4;

    internal static Lstm FromConfig(LayerConfig c) => new(c.Int("units", min: 1), OptionsFrom(c), c.LayerName);

    /// <inheritdoc/>
    protected override bool HasCellState => true;

    private protected override RecurrentCell CreateCell(Tensor weightHh, Tensor biasHh) => new LstmCell(Units, weightHh, biasHh);

    private protected override RecurrentCell CreateCell(Tensor weightHh, Tensor biasHh, Parameter? projection, LayerNormWeights? norm)
        => norm is not null ? new LayerNormLstmCell(Units, weightHh, biasHh, norm)
            : projection is null ? CreateCell(weightHh, biasHh) : new LstmProjectedCell(Units, weightHh, biasHh, projection);

    // Keras' unit_forget_bias: the forget block [H, 2H) starts at 1.
    private protected override void InitializeKerasBias(Span<float> biasIh) => biasIh.Slice(Units, Units).Fill(1f);
}
