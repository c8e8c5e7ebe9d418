namespace Recur.Layers.Recurrent.Normalized;

// Shapes: H hidden, GH = gates·H.

/// <summary>
/// The learned gains of one direction of a layer-normalised cell (<see cref="RecurrentOptions.LayerNorm"/>),
/// saved as <c>ln_weight_ih_l{k}</c>, <c>ln_weight_hh_l{k}</c> and, for an LSTM,
/// <c>ln_weight_c_l{k}</c>, <c>ln_bias_c_l{k}</c> (suffix <c>_reverse</c> for the backward
/// direction). The biases of the two projections' normalisations are <c>bias_ih</c> and
/// <c>bias_hh</c> themselves (see <see cref="NormalizedCell"/>).
/// </summary>
/// <param name="InputGain">α_x (GH): gain of LN(x·W_ihᵀ), initialised to 1.</param>
/// <param name="RecurrentGain">α_h (GH): gain of LN(h_{t−1}·W_hhᵀ), initialised to 1.</param>
/// <param name="CellGain">α_c (H), LSTM only: gain of LN(c_t), initialised to 1.</param>
/// <param name="CellBias">β_c (H), LSTM only: bias of LN(c_t), initialised to 0.</param>
internal sealed record LayerNormWeights(Parameter InputGain, Parameter RecurrentGain, Parameter? CellGain, Parameter? CellBias)
{
    /// <summary>The parameter names of one direction, in the order they are added.</summary>
    public static IEnumerable<string> Names(string suffix, bool cellState)
    {
        yield return "ln_weight_ih" + suffix;
        yield return "ln_weight_hh" + suffix;
        if (!cellState) yield break;
        yield return "ln_weight_c" + suffix;
        yield return "ln_bias_c" + suffix;
    }
}
