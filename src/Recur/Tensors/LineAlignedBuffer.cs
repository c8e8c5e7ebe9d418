using System.Runtime.CompilerServices;

namespace Recur;

/// <summary>
/// A float buffer whose element 0 starts a 64-byte cache line (it lives on the pinned-object
/// heap, so it never moves). Threads that write disjoint ranges of it starting on line
/// boundaries then never write the same line: the recurrent loop splits its per-step buffers
/// between threads at multiples of 16 floats, and with an ordinary array (aligned to 8 bytes
/// only) each of those boundaries could fall inside a line that both threads keep taking from
/// each other.
/// </summary>
/// <remarks>
/// Its <see cref="Length"/> is a view of its <see cref="Capacity"/>: <see cref="Fit"/> reuses a
/// buffer for any smaller length, so a loop whose shapes vary from call to call (a server's
/// batches, length-bucketed training batches) allocates only when a call is larger than all
/// before it. A reused view is not cleared: its content is whatever the last user left.
/// </remarks>
internal sealed unsafe class LineAlignedBuffer
{
    private const int LineFloats = 64 / sizeof(float);

    private readonly float[] _array;
    private readonly int _origin;

    public LineAlignedBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _array = GC.AllocateArray<float>(length + LineFloats - 1, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref _array[0]);
        _origin = (int)((64 - address % 64) % 64 / sizeof(float));
        Capacity = Length = length;
    }

    /// <summary>The floats in use: every span of the buffer lies in [0, Length).</summary>
    public int Length { get; private set; }

    /// <summary>The floats allocated, at least <see cref="Length"/>.</summary>
    public int Capacity { get; }

    /// <summary>
    /// <paramref name="buffer"/> viewed as <paramref name="length"/> floats when its capacity
    /// holds them (its content kept, not cleared), else a new zeroed buffer with room for at least
    /// <paramref name="length"/> (half as much again as the old capacity, so that slowly growing
    /// calls do not allocate at every call).
    /// </summary>
    public static LineAlignedBuffer Fit(LineAlignedBuffer? buffer, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (buffer is null) return new LineAlignedBuffer(length);
        if (buffer.Capacity >= length)
        {
            buffer.Length = length;
            return buffer;
        }
        var grown = new LineAlignedBuffer((int)Math.Min(Array.MaxLength - LineFloats, Math.Max(length, buffer.Capacity + (long)buffer.Capacity / 2)));
        grown.Length = length;
        return grown;
    }

    public Span<float> Span => _array.AsSpan(_origin, Length);

    public Span<float> AsSpan(int start, int length) => Span.Slice(start, length);

    public Memory<float> AsMemory(int start, int length) => _array.AsMemory(_origin, Length).Slice(start, length);

    public void CopyTo(Span<float> destination) => Span.CopyTo(destination);

    public static implicit operator Span<float>(LineAlignedBuffer buffer) => buffer.Span;

    public static implicit operator ReadOnlySpan<float>(LineAlignedBuffer buffer) => buffer.Span;
}
