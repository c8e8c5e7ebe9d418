using System.Runtime.CompilerServices;

namespace Recur.Kernels;

// Shapes: W (N, K) row-major, PyTorch's layout (row n = output channel n: W_ih (GH, I), W_hh
// (GH, H), Dense (U, F)); KP = K rounded up to 4; a panel is 16 output channels, (KP/4, 16, 4) bytes.

/// <summary>
/// A weight matrix quantised once to int8 per output channel, symmetric (PyTorch's
/// <c>quantize_dynamic</c> weights): <c>w_n = max_k |W[n, k]| / 127</c>,
/// <c>Q[n, k] = clamp(round(W[n, k] / w_n), −127, 127)</c>, so W ≈ w_n·Q within w_n/2. Packed for
/// <see cref="Int8Gemm"/>: panels of <see cref="PanelWidth"/> channels, each a run of KP/4 groups
/// of 64 bytes, group p holding <c>Q[q·16 + j, 4p .. 4p + 3]</c> at bytes 4j .. 4j + 3, the
/// operand of one VPDPBUSD per 8 channels. Columns past K and channels past N are 0.
/// </summary>
/// <remarks>
/// Beside the codes it keeps each channel's sum of codes, Σ_k Q[n, k], for the zero-point
/// correction of u8 activations: Σ_k (q_k − z)·Q[n, k] = Σ_k q_k·Q[n, k] − z·Σ_k Q[n, k].
/// A channel whose largest magnitude is below 127·2⁻¹²⁶, or not finite, is all zeros (w_n = 0).
/// </remarks>
internal sealed unsafe class QuantizedMatrix
{
    /// <summary>Output channels per panel: two Vector256 of int32 sums.</summary>
    public const int PanelWidth = 16;

    /// <summary>Largest K: Σ_k |(q_k − z)·Q| ≤ 255·127·K must stay in an int32.</summary>
    public const int MaxK = 65536;

    /// <summary>Smallest step kept: 2⁻¹²⁶, the smallest normal float (below, 1/step overflows).</summary>
    private const float MinStep = 1.17549435e-38f;

    private readonly byte[] _storage;

    /// <summary>Quantises <paramref name="w"/> (N, K), row stride <paramref name="ldw"/>.</summary>
    public QuantizedMatrix(ReadOnlySpan<float> w, int n, int k, int ldw)
    {
        if (n < 0 || k < 0)
            throw new ArgumentException($"Quantised matrix sizes must be non-negative; got N={n}, K={k}.");
        if (k > MaxK)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"K is {k}; int8 products sum at most {MaxK} terms in int32.");
        Gemm.CheckOperand("W", n, k, ldw, w.Length);
        N = n;
        K = k;
        Stride = (k + 3) & ~3;
        Panels = (n + PanelWidth - 1) / PanelWidth;
        long bytes = (long)Panels * Stride * PanelWidth;
        if (bytes + 64 > Array.MaxLength)
            throw new ArgumentException($"Quantised matrix (N={n}, K={k}) is too large: {bytes} bytes.");
        _storage = GC.AllocateArray<byte>((int)bytes + 64, pinned: true); // zeroed: the padding
        Scales = new float[n];
        RowSums = new int[n];
        var row = new sbyte[k];
        for (int c = 0; c < n; c++)
        {
            Scales[c] = QuantizeRow(w.Slice(c * ldw, k), row);
            int sum = 0;
            sbyte* panel = Panel(c / PanelWidth);
            int j = c % PanelWidth;
            for (int p = 0; p < k; p++)
            {
                sum += row[p];
                panel[(p >> 2) * 64 + j * 4 + (p & 3)] = row[p];
            }
            RowSums[c] = sum;
        }
    }

    /// <summary>Output channels N.</summary>
    public int N { get; }

    /// <summary>Inputs K per channel.</summary>
    public int K { get; }

    /// <summary>K rounded up to a multiple of 4.</summary>
    public int Stride { get; }

    /// <summary>⌈N/16⌉.</summary>
    public int Panels { get; }

    /// <summary>(N) the step w_n of each channel.</summary>
    public float[] Scales { get; }

    /// <summary>(N) Σ_k Q[n, k].</summary>
    public int[] RowSums { get; }

    /// <summary>Panel <paramref name="q"/>: (KP/4) groups of 64 bytes; 64-byte aligned.</summary>
    public sbyte* Panel(int q)
    {
        byte* start = (byte*)(((nint)Unsafe.AsPointer(ref _storage[0]) + 63) & ~(nint)63);
        return (sbyte*)(start + (nint)q * Stride * PanelWidth);
    }

    /// <summary>The code Q[n, k].</summary>
    public sbyte Code(int n, int k) => Panel(n / PanelWidth)[(k >> 2) * 64 + n % PanelWidth * 4 + (k & 3)];

    /// <summary>Keeps the storage alive across a pointer's use.</summary>
    public void KeepAlive() => GC.KeepAlive(_storage);

    /// <summary>One channel: its codes into <paramref name="q"/> (K); returns its step.</summary>
    public static float QuantizeRow(ReadOnlySpan<float> w, Span<sbyte> q)
    {
        float max = 0f;
        foreach (float v in w) max = MathF.Max(max, MathF.Abs(v));
        float scale = max / 127f;
        if (!(scale >= MinStep) || !float.IsFinite(scale))
        {
            q.Slice(0, w.Length).Clear();
            return 0f;
        }
        float inv = 127f / max;
        for (int k = 0; k < w.Length; k++) q[k] = (sbyte)Math.Clamp((int)MathF.Round(w[k] * inv), -127, 127);
        return scale;
    }
}
