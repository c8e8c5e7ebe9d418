using System.Text.Json.Nodes;
using Recur.Layers.Recurrent;

namespace Recur.Layers;

/// <summary>
/// Runs a recurrent layer in both directions and merges the outputs (Keras' <c>Bidirectional</c>).
/// The backward direction starts at each sequence's real last step when a mask is present.
/// Input (B, T, I); output (B, T, W) or (B, W) with W = 2H for <see cref="MergeMode.Concat"/>, else H.
/// </summary>
/// <remarks>
/// Equivalent to the wrapped layer with <see cref="RecurrentOptions.Bidirectional"/> set; its
/// parameters keep PyTorch's names (<c>…_reverse</c> for the backward direction).
/// </remarks>
public sealed class Bidirectional : Layer
{
    /// <summary>Wraps <paramref name="layer"/> (not yet built), merging directions with <paramref name="mergeMode"/>.</summary>
    public Bidirectional(RecurrentLayer layer, MergeMode mergeMode = MergeMode.Concat, string? name = null)
        : base(name ?? "bidirectional_" + layer?.Name)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (layer.IsBuilt) throw new ArgumentException($"Layer '{layer.Name}' is already built; wrap a new layer.", nameof(layer));
        if (layer.Options.Bidirectional) throw new ArgumentException($"Layer '{layer.Name}' is already bidirectional.", nameof(layer));
        Inner = layer.WithOptions(layer.Options with { Bidirectional = true, MergeMode = mergeMode });
    }

    /// <summary>The bidirectional recurrent layer doing the work.</summary>
    public RecurrentLayer Inner { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<Parameter> Parameters => Inner.Parameters;

    /// <inheritdoc/>
    public override IEnumerable<Layer> InnerLayers => [Inner];

    /// <inheritdoc/>
    public override IEnumerable<SeededRandom> RandomStreams => Inner.RandomStreams;

    /// <inheritdoc/>
    protected override void BuildCore(int[] inputShape, SeededRandom random) => Inner.Build(inputShape, random);

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape) => Inner.ComputeOutputShape(inputShape);

    /// <inheritdoc/>
    public override SequenceMask? ComputeMask(Tensor input, SequenceMask? inputMask) => Inner.ComputeMask(input, inputMask);

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, SequenceMask? mask = null, bool training = false)
    {
        EnsureBuilt(input);
        return Inner.Forward(input, mask, training);
    }

    /// <inheritdoc/>
    public override Tensor Backward(Tensor gradOutput) => Inner.Backward(gradOutput);

    /// <inheritdoc/>
    public override Tensor Infer(Tensor input, SequenceMask? mask = null)
    {
        EnsureBuilt(input);
        return Inner.Infer(input, mask);
    }

    internal override void BackwardToParameters(Tensor gradOutput) => Inner.BackwardToParameters(gradOutput);

    /// <inheritdoc/>
    public override JsonObject GetConfig() => new()
    {
        ["merge_mode"] = Inner.Options.MergeMode.ToString(),
        ["layer"] = LayerRegistry.Describe(Inner.WithOptions(Inner.Options with { Bidirectional = false, MergeMode = MergeMode.Concat })),
    };

    internal static Bidirectional FromConfig(LayerConfig c)
    {
        var inner = LayerRegistry.Create(c.Object("layer")) as RecurrentLayer
            ?? throw new InvalidDataException($"Layer '{c.LayerName}': Bidirectional must wrap an Lstm, Gru or SimpleRnn.");
        return new Bidirectional(inner, c.Enum<MergeMode>("merge_mode"), c.LayerName);
    }
}
