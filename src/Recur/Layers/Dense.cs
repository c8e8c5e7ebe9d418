using System.Text.Json.Nodes;
using Recur.Initializers;
using Recur.Kernels;

namespace Recur.Layers;

/// <summary>
/// A fully connected layer: y = f(x · Wᵀ + b), with W of shape (units, F) and b of shape (units)
/// as in PyTorch's <c>nn.Linear</c>.
/// </summary>
/// <remarks>
/// <para>Shapes (B batch, T time, F input features, U units): input (B, F) → output (B, U), or
/// input (B, T, F) → output (B, T, U), the same weights applied at every time step as one matrix
/// product over all B·T rows.</para>
/// <para>Parameters: <c>weight</c> (U, F), Glorot-uniform; <c>bias</c> (U), zeros (Keras' defaults).</para>
/// <para>Masks: for 3-D input the input mask passes through unchanged (masked steps are computed
/// like any other; later layers and losses ignore them); a 2-D output has no time axis and no mask.</para>
/// </remarks>
public sealed class Dense : Layer
{
    private Parameter? _weight; // (U, F)
    private Parameter? _bias;   // (U)
    private QuantizedMatrix? _int8; // W (U, F) as int8 per output row, once quantised

    /// <summary>One call's forward cache: exactly what Backward needs.</summary>
    /// <param name="Input">(N, F) view, N = B or B·T.</param>
    /// <param name="Output">(N, U) view, after the activation.</param>
    /// <param name="OutputShape">The output's shape, (B, U) or (B, T, U).</param>
    private sealed record Call(Tensor Input, Tensor Output, int[] OutputShape);

    /// <summary>Creates a dense layer with <paramref name="units"/> outputs.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="units"/> is not positive.</exception>
    public Dense(int units, Activation activation = Activation.Linear, bool useBias = true, string? name = null)
        : base(name)
    {
        if (units <= 0)
            throw new ArgumentOutOfRangeException(nameof(units), units, $"units must be positive; got {units}.");
        if (!Enum.IsDefined(activation))
            throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        Units = units;
        Activation = activation;
        UseBias = useBias;
    }

    /// <summary>Number of outputs U.</summary>
    public int Units { get; }

    /// <summary>The function applied to x · Wᵀ + b.</summary>
    public Activation Activation { get; }

    /// <summary>Whether the layer has a <c>bias</c> parameter.</summary>
    public bool UseBias { get; }

    /// <summary>Number of input features F (known once built).</summary>
    public int InputFeatures { get; private set; }

    /// <summary>The weight W, shape (U, F). Null until built.</summary>
    public Parameter? Weight => _weight;

    /// <summary>The bias b, shape (U). Null until built or when <see cref="UseBias"/> is false.</summary>
    public Parameter? Bias => _bias;

    /// <inheritdoc/>
    /// <remarks>The per-sample shape is (F) or (T, F); T may be -1.</remarks>
    protected override void BuildCore(int[] inputShape, SeededRandom random)
    {
        int features = FeaturesOf(inputShape);
        InputFeatures = features;
        var w = Tensor.Zeros(Units, features);
        Initializer.GlorotUniform(w.Span, fanIn: features, fanOut: Units, random);
        _weight = AddParameter("weight", w);
        if (UseBias) _bias = AddParameter("bias", Tensor.Zeros(Units));
    }

    /// <inheritdoc/>
    /// <remarks>(F) → (U); (T, F) → (T, U).</remarks>
    public override int[] ComputeOutputShape(int[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        int features = FeaturesOf(inputShape);
        if (IsBuilt && features != InputFeatures)
            throw new ArgumentException(
                $"Layer '{Name}' expects {InputFeatures} input features; the input shape {Tensor.ShapeString(inputShape)} has {features}.",
                nameof(inputShape));
        var output = (int[])inputShape.Clone();
        output[^1] = Units;
        return output;
    }

    /// <inheritdoc/>
    public override SequenceMask? ComputeMask(Tensor input, SequenceMask? inputMask)
        => input.Rank == 3 ? inputMask : null;

    /// <summary>y = f(x · Wᵀ + b) for input (B, F) or (B, T, F); returns (B, U) or (B, T, U).</summary>
    /// <exception cref="ArgumentException">The input is not rank 2 or 3, or its last axis differs from the built F.</exception>
    public override Tensor Forward(Tensor input, SequenceMask? mask = null, bool training = false)
    {
        var y = Compute(input, out var x, out var outputShape);
        SaveForBackward(new Call(x, y.Reshape(x.Size(0), Units), outputShape));
        return y;
    }

    /// <inheritdoc/>
    public override Tensor Infer(Tensor input, SequenceMask? mask = null) => Compute(input, out _, out _);

    /// <summary>y = f(x·Wᵀ + b); <paramref name="x"/> is the input as (N, F) rows.</summary>
    private Tensor Compute(Tensor input, out Tensor x, out int[] outputShape)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank is not (2 or 3))
            throw new ArgumentException(
                $"input has shape {Tensor.ShapeString(input.Shape)}; expected rank 2 (batch, features) or 3 (batch, steps, features).",
                nameof(input));
        int features = input.Size(-1);
        if (!IsBuilt) Build(input.Rank == 3 ? new[] { -1, features } : new[] { features });
        else if (features != InputFeatures)
            throw new ArgumentException(
                $"Layer '{Name}' was built for {InputFeatures} input features but input has shape {Tensor.ShapeString(input.Shape)}.",
                nameof(input));

        int n = input.Length / features;                // rows: B or B·T
        x = input.Reshape(n, features);               // (N, F)
        outputShape = input.ShapeArray;
        outputShape[^1] = Units;
        var y = Tensor.Zeros(outputShape);            // (N, U) storage
        var w = _weight!.Value.Span;                  // (U, F)
        if (_int8 is not null) Int8Gemm.MultiplyRows(x.Span, n, features, _int8, y.Span); // x quantised per row
        else Gemm.MatMulTransB(x.Span, w, y.Span, n, Units, features);
        if (_bias is not null)
        {
            var b = _bias.Value.Span;                 // (U)
            for (int r = 0; r < n; r++)
            {
                var row = y.Span.Slice(r * Units, Units);
                for (int j = 0; j < Units; j++) row[j] += b[j];
            }
        }
        ActivationFunction.Forward(Activation, y.Span, n, Units);
        return y;
    }

    /// <summary>
    /// Given dL/dy (same shape as the call's output): dz = dy ⊙ f′, dW += dzᵀ · x, db += Σ_rows dz,
    /// and returns dx = dz · W with the input's shape.
    /// </summary>
    /// <exception cref="InvalidOperationException">No forward call is left to back-propagate.</exception>
    public override Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        if (_int8 is not null)
            throw new InvalidOperationException(
                $"Layer '{Name}' is quantised to int8 for inference only and has no backward pass; train the float32 layer it was made from and quantise it again.");
        var call = TakeForBackward<Call>(c => Tensor.RequireShape(gradOutput, c.OutputShape, nameof(gradOutput)));
        int n = call.Input.Size(0), features = InputFeatures;

        var dz = new float[n * Units]; // (N, U)
        ActivationFunction.Backward(Activation, call.Output.Span, gradOutput.Span, dz, n, Units);

        Gemm.MatMulTransA(dz, call.Input.Span, _weight!.Grad.Span, Units, features, n, accumulate: true); // (U, F) += dzᵀ (U, N) · x (N, F)
        if (_bias is not null)
            Reductions.AddColumnSums(dz, n, Units, _bias.Grad.Span);                                        // (U)

        var inputShape = call.OutputShape.ToArray();
        inputShape[^1] = features;
        var dx = Tensor.Zeros(inputShape);                                                              // (N, F)
        Gemm.MatMul(dz, _weight.Value.Span, dx.Span, n, features, Units);                               // dz (N, U) · W (U, F)
        return dx;
    }

    /// <summary>True once <see cref="Quantize"/> has made int8 weights.</summary>
    public bool IsQuantized => _int8 is not null;

    /// <summary>
    /// Dynamic int8 quantisation for inference (PyTorch's <c>quantize_dynamic</c> for
    /// <c>nn.Linear</c>): W (U, F) is quantised once, now, per output row (symmetric int8), each
    /// input row is quantised when the layer runs (u8 with a zero point), the product is summed
    /// in int32; the bias and the activation stay float32. Backward passes are refused from now on.
    /// </summary>
    /// <exception cref="InvalidOperationException">The layer is not built yet.</exception>
    internal bool Quantize()
    {
        if (_weight is null) throw new InvalidOperationException($"Layer '{Name}' is not built yet: build it before quantising it.");
        _int8 = new QuantizedMatrix(_weight.Value.Span, Units, InputFeatures, InputFeatures);
        return true;
    }

    private int FeaturesOf(int[] perSampleShape)
    {
        if (perSampleShape.Length is not (1 or 2) || perSampleShape[^1] <= 0)
            throw new ArgumentException(
                $"Layer '{Name}' takes per-sample shapes (features) or (steps, features) with features > 0; got {Tensor.ShapeString(perSampleShape)}.",
                "inputShape");
        return perSampleShape[^1];
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig() => new()
    {
        ["units"] = Units,
        ["activation"] = Activation.ToString(),
        ["use_bias"] = UseBias,
    };

    internal static Dense FromConfig(LayerConfig c)
        => new(c.Int("units", min: 1), c.Enum<Activation>("activation"), c.Bool("use_bias"), c.LayerName);
}
