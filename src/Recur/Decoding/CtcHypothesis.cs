namespace Recur.Decoding;

/// <summary>A decoded label sequence and its score.</summary>
/// <param name="Labels">The labels after collapsing repeats and dropping blanks.</param>
/// <param name="LogProbability">
/// Greedy: log of the best path's probability, Σ_t log max_c softmax(x_t)(c). Prefix beam search:
/// log p(labels | x) summed over the alignments the beam kept (exact when the beam holds every prefix).
/// </param>
public sealed record CtcHypothesis(int[] Labels, double LogProbability);
