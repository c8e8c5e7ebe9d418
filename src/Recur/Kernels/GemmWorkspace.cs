using System.Runtime.CompilerServices;

namespace Recur.Kernels;

/// <summary>
/// One thread's packing buffers, kept for the life of the thread so that a GEMM allocates
/// nothing in steady state. The arrays live on the pinned heap (they never move, so the kernels
/// may hold raw pointers) and are aligned to 64 bytes for whole-cache-line vector loads.
/// </summary>
internal sealed unsafe class GemmWorkspace
{
    [ThreadStatic] private static GemmWorkspace? t_current;

    private float[] _a = [];
    private float[] _b = [];

    public static GemmWorkspace Current => t_current ??= new GemmWorkspace();

    /// <summary>A buffer of at least <paramref name="floats"/> for packed A blocks.</summary>
    public float* A(int floats) => Aligned(ref _a, floats);

    /// <summary>A buffer of at least <paramref name="floats"/> for packed B blocks.</summary>
    public float* B(int floats) => Aligned(ref _b, floats);

    private static float* Aligned(ref float[] buffer, int floats)
    {
        const int Pad = 16; // 64 bytes, room to align the start
        if (buffer.Length < floats + Pad)
            buffer = GC.AllocateUninitializedArray<float>(floats + Pad, pinned: true);
        return AlignUp((float*)Unsafe.AsPointer(ref buffer[0]));
    }

    internal static float* AlignUp(float* p) => (float*)(((nint)p + 63) & ~(nint)63);
}
