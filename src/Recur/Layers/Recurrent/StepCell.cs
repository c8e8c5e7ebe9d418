using System.Text.Json.Nodes;

namespace Recur.Layers.Recurrent;

/// <summary>
/// One recurrent cell stepped by hand, as PyTorch's <c>nn.LSTMCell</c>, <c>nn.GRUCell</c> and
/// <c>nn.RNNCell</c>: each call is one time step of a batch with the state passed explicitly.
/// Trainable: every <see cref="Step"/> keeps its own cache until back-propagated, and
/// <see cref="BackwardStep"/> back-propagates the latest step not yet back-propagated, so a
/// loop of steps is back-propagated by running it backwards, chaining the state gradients.
/// </summary>
/// <remarks>
/// <para>Shapes (B batch, I input features, H units): input (B, I) → output h (B, H); the state is
/// a <see cref="RecurrentState"/> of (1, B, H) (and the cell, for an LSTM). The weights are those
/// of a one-layer, one-direction <see cref="RecurrentLayer"/> (PyTorch's names:
/// <c>weight_ih_l0</c>, <c>weight_hh_l0</c>, <c>bias_ih_l0</c>, <c>bias_hh_l0</c>), and stepping a
/// sequence gives the same bits as running that layer over it whole.</para>
/// <para>Thread safety: <see cref="Infer(Tensor, RecurrentState?)"/> keeps no cache and may be called from many threads.</para>
/// </remarks>
public sealed class StepCell : Layer
{
    /// <summary>Wraps a one-layer, one-direction recurrent layer that returns its sequence.</summary>
    /// <exception cref="ArgumentException">The layer has several layers, two directions, does not return sequences, or is stateful.</exception>
    public StepCell(RecurrentLayer layer, string? name = null) : base(name ?? layer?.Name)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var o = layer.Options;
        if (o.NumLayers != 1 || o.Bidirectional || !o.ReturnSequences || layer.Stateful)
            throw new ArgumentException(
                $"A step cell wraps one layer in one direction returning its sequence, not stateful; layer '{layer.Name}' has numLayers {o.NumLayers}, bidirectional {o.Bidirectional}, returnSequences {o.ReturnSequences}, stateful {layer.Stateful}.",
                nameof(layer));
        Inner = layer;
    }

    /// <summary>An LSTM cell of <paramref name="units"/> (PyTorch's <c>nn.LSTMCell</c>).</summary>
    public static StepCell Lstm(int units, string? name = null) => new(new Lstm(units, returnSequences: true), name ?? "lstm_cell");

    /// <summary>A GRU cell of <paramref name="units"/> (PyTorch's <c>nn.GRUCell</c> with <paramref name="resetAfter"/>).</summary>
    public static StepCell Gru(int units, bool resetAfter = true, string? name = null) => new(new Gru(units, returnSequences: true, resetAfter: resetAfter), name ?? "gru_cell");

    /// <summary>An Elman cell of <paramref name="units"/> with tanh (PyTorch's <c>nn.RNNCell</c>).</summary>
    public static StepCell SimpleRnn(int units, string? name = null) => new(new SimpleRnn(units, returnSequences: true), name ?? "simple_rnn_cell");

    /// <summary>The recurrent layer whose weights the cell steps.</summary>
    public RecurrentLayer Inner { get; }

    /// <summary>Hidden units H.</summary>
    public int Units => Inner.Units;

    /// <inheritdoc/>
    public override IReadOnlyList<Parameter> Parameters => Inner.Parameters;

    /// <inheritdoc/>
    public override IEnumerable<Layer> InnerLayers => [Inner];

    /// <inheritdoc/>
    /// <remarks>The per-sample input shape is (I).</remarks>
    protected override void BuildCore(int[] inputShape, SeededRandom random)
    {
        RequireFeatures(inputShape);
        Inner.Build([-1, inputShape[0]], random);
    }

    /// <inheritdoc/>
    protected override int[] GeneralizeInputShape(int[] inputShape) => inputShape;

    /// <inheritdoc/>
    /// <remarks>(I) → (H).</remarks>
    public override int[] ComputeOutputShape(int[] inputShape)
    {
        RequireFeatures(inputShape);
        return [Inner.StateSize];
    }

    /// <summary>
    /// One step: x_t (B, I) and the state entering it (null: zeros) → h_t (B, H) and the state
    /// leaving it. The step is kept for <see cref="BackwardStep"/> (use
    /// <see cref="Infer(Tensor, RecurrentState?)"/> for steps that are never back-propagated).
    /// </summary>
    /// <param name="input">(B, I).</param>
    /// <param name="state">(1, B, H) states, or null for zeros.</param>
    /// <param name="training">Training mode (the cell itself has no dropout).</param>
    public (Tensor Output, RecurrentState State) Step(Tensor input, RecurrentState? state = null, bool training = false)
    {
        var x = AsSequence(input, state);
        using var recording = Inner.RecordCalls(); // every step of a loop stays pending until back-propagated
        var r = Inner.ForwardWithState(x, state?.Hidden, state?.Cell, training: training); // (B, 1, H), (1, B, H)
        return (r.Output.Reshape(input.Size(0), Inner.StateSize), new RecurrentState(r.HiddenState, r.CellState));
    }

    /// <summary>
    /// Back-propagates the latest step not yet back-propagated: ∂L/∂h_t (B, H) of its output and
    /// ∂L/∂(state leaving it) (null: none) → ∂L/∂x_t (B, I) and ∂L/∂(state entering it).
    /// Parameter gradients accumulate.
    /// </summary>
    public (Tensor Input, RecurrentState State) BackwardStep(Tensor? gradOutput, RecurrentState? gradState = null)
    {
        var g = Inner.BackwardWithState(gradOutput?.Reshape(gradOutput.Size(0), 1, gradOutput.Size(-1)), gradState?.Hidden, gradState?.Cell);
        return (g.Input!.Reshape(g.Input.Size(0), g.Input.Size(2)), new RecurrentState(g.InitialHidden, g.InitialCell));
    }

    /// <summary>One step for inference (no cache kept; safe from many threads): as <see cref="Step"/>.</summary>
    public (Tensor Output, RecurrentState State) Infer(Tensor input, RecurrentState? state)
    {
        var r = Inner.Infer(AsSequence(input, state), state?.Hidden, state?.Cell);
        return (r.Output.Reshape(input.Size(0), Inner.StateSize), new RecurrentState(r.HiddenState, r.CellState));
    }

    /// <summary>One step from zero states: (B, I) → (B, H).</summary>
    public override Tensor Forward(Tensor input, SequenceMask? mask = null, bool training = false) => Step(input, null, training).Output;

    /// <inheritdoc/>
    public override Tensor Infer(Tensor input, SequenceMask? mask = null) => Infer(input, null).Output;

    /// <summary>Back-propagates a step taken with <see cref="Forward"/>: ∂L/∂h (B, H) → ∂L/∂x (B, I).</summary>
    public override Tensor Backward(Tensor gradOutput) => BackwardStep(gradOutput).Input;

    /// <inheritdoc/>
    public override JsonObject GetConfig() => new() { ["layer"] = LayerRegistry.Describe(Inner) };

    internal static StepCell FromConfig(LayerConfig c)
        => new(LayerRegistry.Create(c.Object("layer")) as RecurrentLayer ?? throw new InvalidDataException($"Layer '{c.LayerName}': a step cell wraps a recurrent layer."), c.LayerName);

    private Tensor AsSequence(Tensor input, RecurrentState? state)
    {
        Tensor.RequireRank(input, 2, nameof(input), "(batch, features)");
        if (!IsBuilt) Build([input.Size(1)]);
        state?.RequireShape(Inner, input.Size(0), nameof(state));
        return input.Reshape(input.Size(0), 1, input.Size(1)); // (B, 1, I)
    }

    private void RequireFeatures(int[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        if (inputShape.Length != 1 || inputShape[0] <= 0)
            throw new ArgumentException($"Step cell '{Name}' takes per-sample inputs (features); got {Tensor.ShapeString(inputShape)}.", nameof(inputShape));
    }
}
