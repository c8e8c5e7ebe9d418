namespace Recur.Losses;

/// <summary>The value of a loss and its gradient with respect to the prediction.</summary>
/// <param name="Value">The reduced (scalar) loss.</param>
/// <param name="Gradient">dValue/dprediction, with the prediction's shape.</param>
public sealed record LossResult(double Value, Tensor Gradient);
