using System.Text.Json.Nodes;
using System.Globalization;
using Recur.Initializers;

namespace Recur.Layers;

/// <summary>
/// A lookup table from integer ids to dense vectors: output[b, t, :] = weight[ids[b, t], :].
/// </summary>
/// <remarks>
/// <para>Shapes (B batch, T time, V vocabulary, E embedding size): input (B, T) of integer ids
/// stored as floats → output (B, T, E). Parameter <c>weight</c> (V, E), initialised U(−0.05, 0.05)
/// (Keras' default).</para>
/// <para><c>maskZero</c> (Keras semantics): id 0 means padding, and <see cref="ComputeMask"/>
/// returns a (B, T) mask that is false where the id is 0. The vocabulary still includes id 0.</para>
/// <para><c>paddingIndex</c> (PyTorch semantics): that row of <c>weight</c> starts at zero and
/// never receives gradient, so it stays fixed during training.</para>
/// </remarks>
public sealed class Embedding : Layer
{
    private Parameter? _weight; // (V, E)

    /// <summary>One call's forward cache: the looked-up rows (B·T) and the input shape (B, T).</summary>
    private sealed record Call(int[] Ids, int[] InputShape);

    /// <summary>Creates an embedding of <paramref name="inputDim"/> ids into <paramref name="outputDim"/> dimensions.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is not positive, or <paramref name="paddingIndex"/> is outside [0, inputDim).</exception>
    public Embedding(int inputDim, int outputDim, bool maskZero = false, int? paddingIndex = null, string? name = null)
        : base(name)
    {
        if (inputDim <= 0)
            throw new ArgumentOutOfRangeException(nameof(inputDim), inputDim, $"inputDim must be positive; got {inputDim}.");
        if (outputDim <= 0)
            throw new ArgumentOutOfRangeException(nameof(outputDim), outputDim, $"outputDim must be positive; got {outputDim}.");
        if (paddingIndex is int p && (p < 0 || p >= inputDim))
            throw new ArgumentOutOfRangeException(nameof(paddingIndex), p, $"paddingIndex must be in [0, {inputDim}); got {p}.");
        InputDim = inputDim;
        OutputDim = outputDim;
        MaskZero = maskZero;
        PaddingIndex = paddingIndex;
    }

    /// <summary>Vocabulary size V: valid ids are 0 … V − 1.</summary>
    public int InputDim { get; }

    /// <summary>Embedding size E.</summary>
    public int OutputDim { get; }

    /// <summary>When true, id 0 is padding and the output mask is false there.</summary>
    public bool MaskZero { get; }

    /// <summary>The row that receives no gradient (PyTorch's <c>padding_idx</c>), or null.</summary>
    public int? PaddingIndex { get; }

    /// <summary>The table, shape (V, E). Null until built.</summary>
    public Parameter? Weight => _weight;

    /// <inheritdoc/>
    /// <remarks>The per-sample shape is (T); T may be -1.</remarks>
    protected override void BuildCore(int[] inputShape, SeededRandom random)
    {
        RequirePerSampleShape(inputShape);
        var w = Tensor.Zeros(InputDim, OutputDim);
        Initializer.Uniform(w.Span, -0.05f, 0.05f, random);
        if (PaddingIndex is int p) w.Span.Slice(p * OutputDim, OutputDim).Clear();
        _weight = AddParameter("weight", w);
    }

    /// <inheritdoc/>
    /// <remarks>The per-sample shape (T) is a time axis: once built, any sequence length is accepted
    /// (also after loading from a model file, where the layer is rebuilt with a placeholder length).</remarks>
    protected override int[] GeneralizeInputShape(int[] inputShape) => new[] { -1 };

    /// <inheritdoc/>
    /// <remarks>(T) → (T, E).</remarks>
    public override int[] ComputeOutputShape(int[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        RequirePerSampleShape(inputShape);
        return new[] { inputShape[0], OutputDim };
    }

    /// <summary>With <see cref="MaskZero"/>, a (B, T) mask that is true where the id is not 0 (and the input mask, if any, is true); otherwise the input mask.</summary>
    public override SequenceMask? ComputeMask(Tensor input, SequenceMask? inputMask)
    {
        if (!MaskZero) return inputMask;
        Tensor.RequireRank(input, 2, nameof(input), "(batch, steps) of ids");
        var valid = new bool[input.Length]; // (B, T)
        var ids = input.Span;
        inputMask?.RequireShape(input.Size(0), input.Size(1), nameof(inputMask));
        for (int i = 0; i < valid.Length; i++) valid[i] = ids[i] != 0f && (inputMask is null || inputMask.Flags[i]);
        return new SequenceMask(valid, input.Size(0), input.Size(1));
    }

    /// <summary>Looks up ids (B, T) and returns (B, T, E).</summary>
    /// <exception cref="ArgumentException">The input is not rank 2, or an id is not an integer in [0, V) (checked before any work).</exception>
    public override Tensor Forward(Tensor input, SequenceMask? mask = null, bool training = false)
    {
        var output = Lookup(input, out var ids);
        SaveForBackward(new Call(ids, input.ShapeArray));
        return output;
    }

    /// <inheritdoc/>
    public override Tensor Infer(Tensor input, SequenceMask? mask = null) => Lookup(input, out _);

    private Tensor Lookup(Tensor input, out int[] ids)
    {
        Tensor.RequireRank(input, 2, nameof(input), "(batch, steps) of ids");
        ids = ReadIds(input);
        if (!IsBuilt) Build(new[] { -1 });

        int b = input.Size(0), t = input.Size(1), e = OutputDim;
        var output = Tensor.Zeros(b, t, e); // (B, T, E)
        var table = _weight!.Value.Span;    // (V, E)
        var o = output.Span;
        for (int i = 0; i < ids.Length; i++)
            table.Slice(ids[i] * e, e).CopyTo(o.Slice(i * e, e));
        return output;
    }

    /// <summary>
    /// Accumulates dL/dweight[id] += dL/doutput[b, t] for every position (except the padding
    /// row) and returns zeros of the input shape (B, T): ids are not differentiable.
    /// </summary>
    /// <exception cref="InvalidOperationException">No forward call is left to back-propagate.</exception>
    public override Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        int e = OutputDim;
        var (ids, inputShape) = TakeForBackward<Call>(c => Tensor.RequireShape(gradOutput, new[] { c.InputShape[0], c.InputShape[1], e }, nameof(gradOutput)));
        var dTable = _weight!.Grad.Span; // (V, E)
        var g = gradOutput.Span;         // (B·T, E)
        for (int i = 0; i < ids.Length; i++)
        {
            int id = ids[i];
            if (id == PaddingIndex) continue;
            var row = dTable.Slice(id * e, e);
            var gi = g.Slice(i * e, e);
            for (int j = 0; j < e; j++) row[j] += gi[j];
        }
        return Tensor.Zeros(inputShape);
    }

    /// <summary>Converts the float ids to ints, throwing on the first that is not an integer in [0, V).</summary>
    private int[] ReadIds(Tensor input)
    {
        var ids = new int[input.Length];
        var x = input.Span;
        int steps = input.Size(1);
        for (int i = 0; i < ids.Length; i++)
        {
            float v = x[i];
            if (!(v >= 0f && v < InputDim && v == MathF.Floor(v)))
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"input[{i / steps}, {i % steps}] is {v}; expected an integer id in [0, {InputDim}) for layer '{Name}'."),
                    nameof(input));
            ids[i] = (int)v;
        }
        return ids;
    }

    private void RequirePerSampleShape(int[] perSampleShape)
    {
        if (perSampleShape.Length != 1)
            throw new ArgumentException(
                $"Layer '{Name}' takes per-sample shape (steps) of ids; got {Tensor.ShapeString(perSampleShape)}.",
                "inputShape");
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig() => new()
    {
        ["input_dim"] = InputDim,
        ["output_dim"] = OutputDim,
        ["mask_zero"] = MaskZero,
        ["padding_index"] = PaddingIndex,
    };

    internal static Embedding FromConfig(LayerConfig c)
        => new(c.Int("input_dim", min: 1), c.Int("output_dim", min: 1), c.Bool("mask_zero"), c.OptionalInt("padding_index"), c.LayerName);
}
