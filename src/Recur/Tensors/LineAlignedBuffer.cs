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
        Length = length;
    }

    public int Length { get; }

    public Span<float> Span => _array.AsSpan(_origin, Length);

    public Span<float> AsSpan(int start, int length) => Span.Slice(start, length);

    public Memory<float> AsMemory(int start, int length) => _array.AsMemory(_origin, Length).Slice(start, length);

    public void CopyTo(Span<float> destination) => Span.CopyTo(destination);

    public static implicit operator Span<float>(LineAlignedBuffer buffer) => buffer.Span;

    public static implicit operator ReadOnlySpan<float>(LineAlignedBuffer buffer) => buffer.Span;
}
