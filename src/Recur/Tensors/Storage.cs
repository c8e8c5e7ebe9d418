namespace Recur;

/// <summary>
/// Allocates the float arrays behind tensors and kernel buffers.
/// </summary>
/// <remarks>
/// Arrays of 85,000 bytes and more live on the large-object heap. While a background (concurrent)
/// gen-2 collection runs, the runtime throttles large-object allocations, and a training step
/// that returns two fresh (B, T, H) tensors then waits for it: measured on the benchmark cases,
/// up to 15 ms per tensor. Large arrays therefore go to the pinned-object heap, which is
/// collected with gen 2 as well but not throttled that way; small ones stay on the ordinary heap.
/// </remarks>
internal static class Storage
{
    /// <summary>From this many floats on (85,000 bytes), an array would be a large object.</summary>
    public const int LargeFloats = 85_000 / sizeof(float);

    /// <summary>A zeroed array of <paramref name="length"/> floats.</summary>
    public static float[] Zeroed(int length)
        => length >= LargeFloats ? GC.AllocateArray<float>(length, pinned: true) : new float[length];

    /// <summary>An array of <paramref name="length"/> floats whose contents are unspecified: the caller overwrites every element.</summary>
    public static float[] Uninitialized(int length)
        => length >= LargeFloats ? GC.AllocateUninitializedArray<float>(length, pinned: true) : new float[length];
}
