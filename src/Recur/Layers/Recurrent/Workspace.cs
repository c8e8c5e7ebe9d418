namespace Recur.Layers.Recurrent;

/// <summary>
/// Large working buffers of a recurrent layer, kept from one pass to the next so that a training
/// step allocates (and leaves for the garbage collector) only the tensors it returns.
/// </summary>
/// <remarks>
/// Grow-only: a buffer is reused for any pass it is large enough for, as a view of exactly the
/// length asked, so that passes whose batch size and length vary (a server's batches,
/// length-bucketed training batches) allocate only when one is larger than all before it.
/// </remarks>
internal sealed class Workspace
{
    private readonly Dictionary<(Use, int), float[]> _buffers = new();

    public enum Use
    {
        LayerInput,    // (T, B, I_l): input of stacked layer l; index L holds the top layer's merged output
        DropoutScale,  // (T, B, W) per layer
        GradMerged,    // (T, B, W): ∂L/∂output, time-major
        GradDirection, // (T, B, H): the share of one direction
        GradInput,     // (T, B, I_l) per layer
    }

    /// <summary>
    /// A view of exactly <paramref name="length"/> floats; it holds what the last pass left there
    /// unless <paramref name="clear"/>, which zeroes it.
    /// </summary>
    public Memory<float> Get(Use use, int index, int length, bool clear = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (!_buffers.TryGetValue((use, index), out var buffer) || buffer.Length < length)
        {
            // Half as much again as before, so that slowly growing passes do not allocate at every pass.
            int capacity = buffer is null ? length : (int)Math.Clamp(buffer.Length + (long)buffer.Length / 2, length, Math.Max(length, Array.MaxLength));
            buffer = new float[capacity];
            _buffers[(use, index)] = buffer;
            return buffer.AsMemory(0, length);
        }
        var view = buffer.AsMemory(0, length);
        if (clear) view.Span.Clear();
        return view;
    }
}
