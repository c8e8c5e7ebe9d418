namespace Recur.Layers.Recurrent;

/// <summary>
/// Large working buffers of a recurrent layer, kept from one pass to the next so that a training
/// step allocates (and leaves for the garbage collector) only the tensors it returns.
/// </summary>
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

    /// <summary>A buffer of exactly <paramref name="length"/> floats; zeroed only when <paramref name="clear"/>.</summary>
    public float[] Get(Use use, int index, int length, bool clear = false)
    {
        if (!_buffers.TryGetValue((use, index), out var buffer) || buffer.Length != length)
        {
            buffer = new float[length];
            _buffers[(use, index)] = buffer;
        }
        else if (clear)
        {
            Array.Clear(buffer);
        }
        return buffer;
    }
}
