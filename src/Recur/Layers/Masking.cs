using System.Text.Json.Nodes;

namespace Recur.Layers;

/// <summary>
/// Marks as padding every step whose features all equal <see cref="MaskValue"/> (Keras' <c>Masking</c>):
/// later recurrent layers skip those steps and losses ignore them. Input and output (B, T, F);
/// masked steps are output as zeros.
/// </summary>
public sealed class Masking : Layer
{

    /// <summary>Creates a masking layer for padding value <paramref name="maskValue"/>.</summary>
    public Masking(float maskValue = 0f, string? name = null) : base(name)
    {
        MaskValue = maskValue;
    }

    /// <summary>The padding value.</summary>
    public float MaskValue { get; }

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape)
    {
        if (inputShape.Length != 2)
            throw new ArgumentException($"Masking '{Name}' needs inputs (batch, time, features); got per-sample shape ({string.Join(", ", inputShape)}).", nameof(inputShape));
        return inputShape;
    }

    /// <inheritdoc/>
    public override SequenceMask? ComputeMask(Tensor input, SequenceMask? inputMask)
    {
        int B = input.Size(0), T = input.Size(1), F = input.Size(2);
        var flags = new bool[B * T];
        for (int k = 0; k < B * T; k++)
        {
            bool real = inputMask is null || inputMask.Flags[k];
            if (real)
            {
                real = false;
                foreach (float v in input.Span.Slice(k * F, F))
                    if (v != MaskValue) { real = true; break; }
            }
            flags[k] = real;
        }
        return new SequenceMask(flags, B, T);
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, SequenceMask? mask = null, bool training = false)
    {
        Tensor.RequireRank(input, 3, nameof(input), "(batch, time, features)");
        EnsureBuilt(input);
        var computed = ComputeMask(input, mask);
        SaveForBackward(new Box<SequenceMask?>(computed));
        return computed is null ? input : Apply(input, computed);
    }

    /// <inheritdoc/>
    public override Tensor Infer(Tensor input, SequenceMask? mask = null)
    {
        Tensor.RequireRank(input, 3, nameof(input), "(batch, time, features)");
        EnsureBuilt(input);
        var computed = ComputeMask(input, mask);
        return computed is null ? input : Apply(input, computed);
    }

    /// <inheritdoc/>
    /// <remarks>The gradient at masked steps is zero, elsewhere it passes through.</remarks>
    public override Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        var mask = TakeForBackward<Box<SequenceMask?>>().Value;
        return mask is null ? gradOutput.Clone() : Apply(gradOutput, mask);
    }

    private static Tensor Apply(Tensor x, SequenceMask mask)
    {
        var y = x.Clone();
        int F = x.Size(2);
        for (int k = 0; k < mask.Batch * mask.Steps; k++)
            if (!mask.Flags[k]) y.Span.Slice(k * F, F).Clear();
        return y;
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig() => new() { ["mask_value"] = MaskValue };

    internal static Masking FromConfig(LayerConfig c) => new(c.Float("mask_value"), c.LayerName);
}
