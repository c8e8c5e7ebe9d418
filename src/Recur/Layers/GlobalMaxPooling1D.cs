using System.Text.Json.Nodes;

namespace Recur.Layers;

/// <summary>
/// The maximum of every feature over the time axis (Keras' <c>GlobalMaxPooling1D</c>):
/// (B, T, F) → (B, F). Masked steps are left out; a sequence with no real step gives zeros.
/// Backward sends each feature's gradient to the step that held the maximum.
/// </summary>
public sealed class GlobalMaxPooling1D : Layer
{
    /// <summary>One call's forward cache: the input's (B, T, F) and the (B, F) step of each maximum (−1 for an empty sequence).</summary>
    private sealed record Call(int Batch, int Steps, int Features, int[] Argmax);

    /// <summary>Creates the pooling layer.</summary>
    public GlobalMaxPooling1D(string? name = null) : base(name) { }

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape)
    {
        if (inputShape.Length != 2)
            throw new ArgumentException($"GlobalMaxPooling1D '{Name}' needs inputs (batch, time, features); got per-sample shape ({string.Join(", ", inputShape)}).", nameof(inputShape));
        return new[] { inputShape[1] };
    }

    /// <summary>The output has no time axis, so no mask.</summary>
    public override SequenceMask? ComputeMask(Tensor input, SequenceMask? inputMask) => null;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, SequenceMask? mask = null, bool training = false)
    {
        var y = Pool(input, mask, out var argmax);
        SaveForBackward(new Call(input.Size(0), input.Size(1), input.Size(2), argmax));
        return y;
    }

    /// <inheritdoc/>
    public override Tensor Infer(Tensor input, SequenceMask? mask = null) => Pool(input, mask, out _);

    /// <summary>y (B, F): the maximum over the real steps; <paramref name="argmax"/> (B, F) its step.</summary>
    private Tensor Pool(Tensor input, SequenceMask? mask, out int[] argmax)
    {
        Tensor.RequireRank(input, 3, nameof(input), "(batch, time, features)");
        EnsureBuilt(input);
        int B = input.Size(0), T = input.Size(1), F = input.Size(2);
        mask?.RequireShape(B, T, nameof(mask));
        argmax = new int[B * F];
        Array.Fill(argmax, -1);
        var y = Tensor.Zeros(B, F);
        var x = input.Span;
        for (int b = 0; b < B; b++)
        {
            var best = y.Span.Slice(b * F, F);
            var arg = argmax.AsSpan(b * F, F);
            for (int t = 0; t < T; t++)
            {
                if (mask is not null && !mask[b, t]) continue;
                var row = x.Slice((b * T + t) * F, F);
                for (int f = 0; f < F; f++)
                    if (arg[f] < 0 || row[f] > best[f]) { best[f] = row[f]; arg[f] = t; }
            }
        }
        return y;
    }

    /// <inheritdoc/>
    public override Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        var (B, T, F, arg) = TakeForBackward<Call>(c => Tensor.RequireShape(gradOutput, new[] { c.Batch, c.Features }, nameof(gradOutput)));
        var dx = Tensor.Zeros(B, T, F);
        for (int b = 0; b < B; b++)
            for (int f = 0; f < F; f++)
                if (arg[b * F + f] >= 0) dx.Span[(b * T + arg[b * F + f]) * F + f] = gradOutput.Span[b * F + f];
        return dx;
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig() => new();

    internal static GlobalMaxPooling1D FromConfig(LayerConfig c) => new(c.LayerName);
}
