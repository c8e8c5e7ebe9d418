namespace Recur.Layers.Recurrent;

/// <summary>
/// The result of <see cref="RecurrentLayer.ForwardWithState"/>, in PyTorch's layout.
/// </summary>
/// <param name="Output">(B, T, D) outputs of the top layer at every step, zero at masked steps; D = 2H for concatenated bidirectional, else H.</param>
/// <param name="HiddenState">(L·dirs, B, H) the final hidden state of every layer and direction (index layer·dirs + direction).</param>
/// <param name="CellState">(L·dirs, B, H) the final LSTM cell states; null for GRU and SimpleRNN.</param>
public sealed record RecurrentOutput(Tensor Output, Tensor HiddenState, Tensor? CellState);

/// <summary>
/// The result of <see cref="RecurrentLayer.BackwardWithState"/>.
/// </summary>
/// <param name="Input">(B, T, I) ∂L/∂input; null when it was not asked for.</param>
/// <param name="InitialHidden">(L·dirs, B, H) ∂L/∂h0.</param>
/// <param name="InitialCell">(L·dirs, B, H) ∂L/∂c0 for LSTM; null otherwise.</param>
public sealed record RecurrentGradients(Tensor? Input, Tensor InitialHidden, Tensor? InitialCell);
