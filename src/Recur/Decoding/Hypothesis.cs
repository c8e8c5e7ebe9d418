namespace Recur.Decoding;

/// <summary>One decoded sequence.</summary>
/// <param name="Tokens">The token ids, without the start token and without the end token.</param>
/// <param name="LogProbability">Σ log p of every chosen token, the end token included when <paramref name="Finished"/>.</param>
/// <param name="Score">What the decoder ranked by: the log-probability, length-normalised for beam search.</param>
/// <param name="Finished">True when the sequence ended with the end token (false: cut at the maximum length).</param>
public sealed record Hypothesis(int[] Tokens, double LogProbability, double Score, bool Finished);
