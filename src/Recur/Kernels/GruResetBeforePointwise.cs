using System.Runtime.CompilerServices;

namespace Recur.Kernels;

// Shapes: one row of a batch; H hidden. z, gates and dgx are [r | z | n], each H wide.

/// <summary>
/// The element-wise part of the GRU step in its original form (Cho et al. 2014; Keras
/// <c>reset_after=False</c>), where the reset gate scales the state before the n-block multiply:
/// each direction is two passes per row, one on either side of that multiply. <c>Reference</c>
/// methods are the scalar definitions; the others run them with the widest vectors the CPU has
/// and use the reference for each row's tail.
/// </summary>
internal static unsafe class GruResetBeforePointwise
{
    /// <summary>
    /// Forward, before the n-block multiply: z's r and z blocks hold their complete
    /// pre-activations; r = σ(·), z = σ(·) in place, and rh = r ⊙ h_{t−1} (H) for the multiply.
    /// </summary>
    public static void ForwardGates(int h, float* z, float* hPrev, float* rh)
    {
        int j = 0;
        if (SimdFloat512.IsAccelerated) j = ForwardGates<SimdFloat512>(h, z, hPrev, rh);
        else if (SimdFloat256.IsAccelerated) j = ForwardGates<SimdFloat256>(h, z, hPrev, rh);
        ForwardGatesReference(j, h, z, hPrev, rh);
    }

    public static void ForwardGatesReference(int from, int h, float* z, float* hPrev, float* rh)
    {
        for (int j = from; j < h; j++)
        {
            float r = Activations.Sigmoid(z[j]);
            z[j] = r;
            z[h + j] = Activations.Sigmoid(z[h + j]);
            rh[j] = r * hPrev[j];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ForwardGates<TVec>(int h, float* z, float* hPrev, float* rh) where TVec : struct, ISimdFloat<TVec>
    {
        int j = 0, w = TVec.Count;
        for (; j + w <= h; j += w)
        {
            var r = FastMath.Sigmoid(TVec.Load(z + j));
            TVec.Store(r, z + j);
            TVec.Store(FastMath.Sigmoid(TVec.Load(z + h + j)), z + h + j);
            TVec.Store(r * TVec.Load(hPrev + j), rh + j);
        }
        return j;
    }

    /// <summary>
    /// Forward, after the n-block multiply: z's n block holds its complete pre-activation;
    /// n = tanh(·) in place, and h = n + z ⊙ (h_{t−1} − n).
    /// </summary>
    public static void ForwardState(int h, float* z, float* hPrev, float* hOut)
    {
        int j = 0;
        if (SimdFloat512.IsAccelerated) j = ForwardState<SimdFloat512>(h, z, hPrev, hOut);
        else if (SimdFloat256.IsAccelerated) j = ForwardState<SimdFloat256>(h, z, hPrev, hOut);
        ForwardStateReference(j, h, z, hPrev, hOut);
    }

    public static void ForwardStateReference(int from, int h, float* z, float* hPrev, float* hOut)
    {
        for (int j = from; j < h; j++)
        {
            float n = MathF.Tanh(z[2 * h + j]);
            z[2 * h + j] = n;
            hOut[j] = n + z[h + j] * (hPrev[j] - n);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ForwardState<TVec>(int h, float* z, float* hPrev, float* hOut) where TVec : struct, ISimdFloat<TVec>
    {
        int j = 0, w = TVec.Count;
        for (; j + w <= h; j += w)
        {
            var n = FastMath.Tanh(TVec.Load(z + 2 * h + j));
            TVec.Store(n, z + 2 * h + j);
            TVec.Store(TVec.FusedMultiplyAdd(TVec.Load(z + h + j), TVec.Load(hPrev + j) - n, n), hOut + j);
        }
        return j;
    }

    /// <summary>
    /// Backward, before the n-block multiply (which turns dz_n into d(r ⊙ h)):
    /// <code>dz_n = dh⊙(1 − z)⊙(1 − n²)   dz_z = dh⊙(h_{t−1} − n)⊙z(1 − z)</code>
    /// into the n and z blocks of dgx.
    /// </summary>
    public static void BackwardNZ(int h, float* gates, float* hPrev, float* dh, float* dgx)
    {
        int j = 0;
        if (SimdFloat512.IsAccelerated) j = BackwardNZ<SimdFloat512>(h, gates, hPrev, dh, dgx);
        else if (SimdFloat256.IsAccelerated) j = BackwardNZ<SimdFloat256>(h, gates, hPrev, dh, dgx);
        BackwardNZReference(j, h, gates, hPrev, dh, dgx);
    }

    public static void BackwardNZReference(int from, int h, float* gates, float* hPrev, float* dh, float* dgx)
    {
        for (int j = from; j < h; j++)
        {
            float z = gates[h + j], n = gates[2 * h + j];
            dgx[2 * h + j] = dh[j] * (1f - z) * (1f - n * n);
            dgx[h + j] = dh[j] * (hPrev[j] - n) * z * (1f - z);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int BackwardNZ<TVec>(int h, float* gates, float* hPrev, float* dh, float* dgx) where TVec : struct, ISimdFloat<TVec>
    {
        int j = 0, w = TVec.Count;
        var one = TVec.Create(1f);
        for (; j + w <= h; j += w)
        {
            var z = TVec.Load(gates + h + j);
            var n = TVec.Load(gates + 2 * h + j);
            var d = TVec.Load(dh + j);
            TVec.Store(d * (one - z) * (one - n * n), dgx + 2 * h + j);
            TVec.Store(d * (TVec.Load(hPrev + j) - n) * z * (one - z), dgx + h + j);
        }
        return j;
    }

    /// <summary>
    /// Backward, after the n-block multiply, with drh = d(r ⊙ h) (H):
    /// <code>dz_r = drh⊙h_{t−1}⊙r(1 − r)   drh ← drh⊙r + dh⊙z</code>
    /// dz_r into dgx's r block; drh becomes the element-wise part of dh_{t−1} (the r⊙h path and the
    /// direct z path; the r and z blocks' multiply is added after). Under recurrent dropout
    /// <paramref name="hPrev"/> is h_{t−1} ⊙ m_h, the state the multiplies saw, and
    /// <paramref name="dh"/> is null: drh ← drh⊙r, the direct path being added after the mask.
    /// </summary>
    public static void BackwardR(int h, float* gates, float* hPrev, float* dh, float* dgx, float* drh)
    {
        int j = 0;
        if (SimdFloat512.IsAccelerated) j = BackwardR<SimdFloat512>(h, gates, hPrev, dh, dgx, drh);
        else if (SimdFloat256.IsAccelerated) j = BackwardR<SimdFloat256>(h, gates, hPrev, dh, dgx, drh);
        BackwardRReference(j, h, gates, hPrev, dh, dgx, drh);
    }

    public static void BackwardRReference(int from, int h, float* gates, float* hPrev, float* dh, float* dgx, float* drh)
    {
        for (int j = from; j < h; j++)
        {
            float r = gates[j];
            dgx[j] = drh[j] * hPrev[j] * r * (1f - r);
            drh[j] = dh == null ? drh[j] * r : drh[j] * r + dh[j] * gates[h + j];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int BackwardR<TVec>(int h, float* gates, float* hPrev, float* dh, float* dgx, float* drh) where TVec : struct, ISimdFloat<TVec>
    {
        int j = 0, w = TVec.Count;
        var one = TVec.Create(1f);
        for (; j + w <= h; j += w)
        {
            var r = TVec.Load(gates + j);
            var d = TVec.Load(drh + j);
            TVec.Store(d * TVec.Load(hPrev + j) * r * (one - r), dgx + j);
            var dr = d * r;
            TVec.Store(dh == null ? dr : TVec.FusedMultiplyAdd(TVec.Load(dh + j), TVec.Load(gates + h + j), dr), drh + j);
        }
        return j;
    }
}
