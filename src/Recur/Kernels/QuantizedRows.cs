using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Recur.Kernels;

// Shapes: M rows, K features per row, KP = K rounded up to a multiple of 4 (one VPDPBUSD group).

/// <summary>
/// Activations quantised per row for an int8 product (dynamic quantisation, as PyTorch's
/// <c>quantize_dynamic</c>): each row of x (M, K) gets its own affine u8 code, made when the row
/// is quantised (at every step for h_{t−1}):
/// <code>
/// lo = min(0, min_k x)   hi = max(0, max_k x)   s = hi/255 − lo/255   z = clamp(round(−lo·(1/s)), 0, 255)
/// q_k = clamp(round(x_k·(1/s)) + z, 0, 255)      x_k ≈ s · (q_k − z)
/// </code>
/// Unsigned with a zero point because VPDPBUSD multiplies u8 by s8, and a row that is one-signed
/// (a ReLU output, an embedding of positive values) then still uses all 256 codes. 0 is exact
/// (code z). Every x in [lo, hi] comes back within s/2.
/// </summary>
/// <remarks>
/// Rows are stored KP bytes apart, the padding bytes 0 (they meet zero weight padding). A row
/// whose range is below 255 × 2⁻¹²⁶ or not finite is coded as all zeros (s = 0): the products then
/// read it as 0. <see cref="QuantizeReference"/> is the plain definition; the vector path gives
/// the same bytes (the same float operations, rounding half to even).
/// </remarks>
internal sealed unsafe class QuantizedRows
{
    /// <summary>Smallest step kept: 2⁻¹²⁶, the smallest normal float (below, 1/step overflows).</summary>
    private const float MinStep = 1.17549435e-38f;

    [ThreadStatic] private static QuantizedRows? t_current;

    private byte[] _codes = [];
    private float[] _scales = [];
    private int[] _zeroPoints = [];

    /// <summary>Rows M.</summary>
    public int Rows { get; private set; }

    /// <summary>Features K per row.</summary>
    public int K { get; private set; }

    /// <summary>K rounded up to a multiple of 4: the stride of the rows in <see cref="Codes"/>.</summary>
    public int Stride { get; private set; }

    /// <summary>(M, KP) u8 codes.</summary>
    public byte[] Codes => _codes;

    /// <summary>(M) step s of each row.</summary>
    public float[] Scales => _scales;

    /// <summary>(M) zero point z of each row.</summary>
    public int[] ZeroPoints => _zeroPoints;

    /// <summary>This thread's buffer, for the quantised rows of one product at a time.</summary>
    public static QuantizedRows ForThisThread => t_current ??= new QuantizedRows();

    /// <summary>Sizes the buffers for (rows, k), keeping their storage when it is large enough.</summary>
    public void Resize(int rows, int k)
    {
        if (rows < 0 || k < 0)
            throw new ArgumentException($"Quantised rows need non-negative sizes; got rows={rows}, K={k}.");
        int stride = (k + 3) & ~3;
        long bytes = (long)rows * stride;
        if (bytes > Array.MaxLength)
            throw new ArgumentException($"Quantised rows ({rows}, {k}) need {bytes} bytes; at most {Array.MaxLength}.");
        if (_codes.Length < bytes + 32) _codes = GC.AllocateUninitializedArray<byte>((int)bytes + 32, pinned: true);
        if (_scales.Length < rows)
        {
            _scales = new float[rows];
            _zeroPoints = new int[rows];
        }
        (Rows, K, Stride) = (rows, k, stride);
    }

    /// <summary>Quantises rows [r0, r0 + n) of x (each K floats, <paramref name="ldx"/> apart) into the same rows here.</summary>
    public void Quantize(float* x, nint ldx, int r0, int n)
    {
        fixed (byte* codes = _codes)
            for (int r = r0; r < r0 + n; r++)
                _zeroPoints[r] = QuantizeRow(x + r * ldx, K, codes + (nint)r * Stride, Stride, out _scales[r]);
    }

    /// <summary>Sizes for (rows, k) and quantises all of x (rows, k), row stride ldx.</summary>
    public void Quantize(ReadOnlySpan<float> x, int rows, int k, int ldx)
    {
        Gemm.CheckOperand("x", rows, k, ldx, x.Length);
        Resize(rows, k);
        fixed (float* px = x) Quantize(px, ldx, 0, rows);
    }

    /// <summary>x_k ≈ s · (q_k − z): row r dequantised into <paramref name="x"/> (K).</summary>
    public void Dequantize(int r, Span<float> x)
    {
        float s = _scales[r];
        int z = _zeroPoints[r];
        for (int k = 0; k < K; k++) x[k] = s * (_codes[(nint)r * Stride + k] - z);
    }

    /// <summary>The code of one row: (s, z) and its KP bytes; returns z.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int QuantizeRow(float* x, int k, byte* q, int stride, out float scale)
    {
        var (lo, hi) = Range(x, k);
        scale = hi / 255f - lo / 255f; // no overflow for a range near ±float.MaxValue
        if (!(scale >= MinStep) || !float.IsFinite(scale))
        {
            scale = 0f;
            new Span<byte>(q, stride).Clear();
            return 0;
        }
        float inv = 1f / scale;
        int z = Math.Clamp((int)MathF.Round(-lo * inv), 0, 255);
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var vinv = Vector256.Create(inv);
            var vz = Vector256.Create(z);
            var zero = Vector256<int>.Zero;
            var top = Vector256.Create(255);
            for (; j + 16 <= k; j += 16)
            {
                var a = Vector256.Max(Vector256.Min(Vector256.ConvertToInt32(Vector256.Round(Vector256.Load(x + j) * vinv)) + vz, top), zero);
                var b = Vector256.Max(Vector256.Min(Vector256.ConvertToInt32(Vector256.Round(Vector256.Load(x + j + 8) * vinv)) + vz, top), zero);
                // Unsigned narrowing: values in [0, 255] pass unchanged whether it truncates or saturates.
                var u16 = Vector256.Narrow(a.AsUInt32(), b.AsUInt32()); // (16) in [0, 255]
                Vector128.Narrow(u16.GetLower(), u16.GetUpper()).Store(q + j);
            }
        }
        for (; j < k; j++) q[j] = Code(x[j], inv, z);
        for (; j < stride; j++) q[j] = 0;
        return z;
    }

    /// <summary>(min(0, min x), max(0, max x)) of one row.</summary>
    private static (float Lo, float Hi) Range(float* x, int k)
    {
        float lo = 0f, hi = 0f;
        int j = 0;
        if (Vector256.IsHardwareAccelerated && k >= 8)
        {
            var vlo = Vector256<float>.Zero;
            var vhi = Vector256<float>.Zero;
            for (; j + 8 <= k; j += 8)
            {
                var v = Vector256.Load(x + j);
                vlo = Vector256.Min(vlo, v);
                vhi = Vector256.Max(vhi, v);
            }
            for (int e = 0; e < 8; e++)
            {
                lo = MathF.Min(lo, vlo[e]);
                hi = MathF.Max(hi, vhi[e]);
            }
        }
        for (; j < k; j++)
        {
            lo = MathF.Min(lo, x[j]);
            hi = MathF.Max(hi, x[j]);
        }
        return (lo, hi);
    }

    private static byte Code(float x, float inv, int z) => (byte)Math.Clamp((int)MathF.Round(x * inv) + z, 0, 255);

    /// <summary>
    /// The plain definition of one row's code, the oracle of the tests: writes K codes into
    /// <paramref name="q"/> and returns (s, z).
    /// </summary>
    public static (float Scale, int ZeroPoint) QuantizeReference(ReadOnlySpan<float> x, Span<byte> q)
    {
        float lo = 0f, hi = 0f;
        foreach (float v in x)
        {
            lo = MathF.Min(lo, v);
            hi = MathF.Max(hi, v);
        }
        float scale = hi / 255f - lo / 255f;
        if (!(scale >= MinStep) || !float.IsFinite(scale))
        {
            q.Slice(0, x.Length).Clear();
            return (0f, 0);
        }
        float inv = 1f / scale;
        int z = Math.Clamp((int)MathF.Round(-lo * inv), 0, 255);
        for (int k = 0; k < x.Length; k++) q[k] = Code(x[k], inv, z);
        return (scale, z);
    }
}
