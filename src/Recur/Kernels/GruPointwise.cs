using System.Runtime.CompilerServices;

namespace Recur.Kernels;

// Shapes: one row of a batch; H hidden. z and gates are [r | z | n], each H wide.

/// <summary>
/// The GRU step's element-wise part in PyTorch's form (reset gate after the recurrent multiply),
/// fused into one pass per row. <c>Reference</c> methods are the scalar definitions; the others
/// run them with the widest vectors the CPU has and use the reference for each row's tail.
/// </summary>
internal static unsafe class GruPointwise
{
    /// <summary>
    /// In: z (3H) = input projection + b_ih + the folded b_hr, b_hz; rec (3H) = h_{t−1}·W_hhᵀ, the
    /// recurrent projection of all three blocks. Out: z = activated [r | z | n];
    /// hn = rec_n + b_hn (the backward cache); h = (1 − z)⊙n + z⊙h_{t−1} with
    /// r = σ(z_r + rec_r), z = σ(z_z + rec_z), n = tanh(z_n + r⊙hn); for <paramref name="units"/>
    /// units whose three gates lie <paramref name="stride"/> apart in z and rec (H for a whole row).
    /// </summary>
    public static void ForwardResetAfter(int units, int stride, float* z, float* rec, float* bhn, float* hPrev, float* hn, float* hOut)
    {
        int j = 0;
        if (SimdFloat512.IsAccelerated) j = ForwardResetAfter<SimdFloat512>(units, stride, z, rec, bhn, hPrev, hn, hOut);
        else if (SimdFloat256.IsAccelerated) j = ForwardResetAfter<SimdFloat256>(units, stride, z, rec, bhn, hPrev, hn, hOut);
        ForwardResetAfterReference(j, units, stride, z, rec, bhn, hPrev, hn, hOut);
    }

    public static void ForwardResetAfterReference(int from, int units, int stride, float* z, float* rec, float* bhn, float* hPrev, float* hn, float* hOut)
    {
        int h = stride;
        for (int j = from; j < units; j++)
        {
            float r = Activations.Sigmoid(z[j] + rec[j]), u = Activations.Sigmoid(z[h + j] + rec[h + j]);
            hn[j] = rec[2 * h + j] + bhn[j];
            float n = MathF.Tanh(z[2 * h + j] + r * hn[j]);
            z[j] = r; z[h + j] = u; z[2 * h + j] = n;
            hOut[j] = n + u * (hPrev[j] - n);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ForwardResetAfter<TVec>(int units, int stride, float* z, float* rec, float* bhn, float* hPrev, float* hn, float* hOut)
        where TVec : struct, ISimdFloat<TVec>
    {
        int j = 0, w = TVec.Count, h = stride;
        for (; j + w <= units; j += w)
        {
            var r = FastMath.Sigmoid(TVec.Load(z + j) + TVec.Load(rec + j));
            var u = FastMath.Sigmoid(TVec.Load(z + h + j) + TVec.Load(rec + h + j));
            var hnj = TVec.Load(rec + 2 * h + j) + TVec.Load(bhn + j);
            var n = FastMath.Tanh(TVec.FusedMultiplyAdd(r, hnj, TVec.Load(z + 2 * h + j)));
            TVec.Store(r, z + j);
            TVec.Store(u, z + h + j);
            TVec.Store(n, z + 2 * h + j);
            TVec.Store(hnj, hn + j);
            TVec.Store(TVec.FusedMultiplyAdd(u, TVec.Load(hPrev + j) - n, n), hOut + j);
        }
        return j;
    }

    /// <summary>
    /// From the activated gates, hn = h·W_hnᵀ + b_hn, h_{t−1} and ∂L/∂h_t:
    /// <code>
    /// dz_n = dh⊙(1 − z)⊙(1 − n²)   dz_z = dh⊙(h_{t−1} − n)⊙z(1 − z)   dz_r = dz_n⊙hn⊙r(1 − r)
    /// dgx = [dz_r | dz_z | dz_n]   dgh = [dz_r | dz_z | dz_n⊙r]   dh_{t−1} = dh⊙z (the matmul term is added after)
    /// </code>
    /// </summary>
    public static void BackwardResetAfter(int h, float* gates, float* hn, float* hPrev, float* dh, float* dgx, float* dgh, float* dhPrev)
    {
        int j = 0;
        if (SimdFloat512.IsAccelerated) j = BackwardResetAfter<SimdFloat512>(h, gates, hn, hPrev, dh, dgx, dgh, dhPrev);
        else if (SimdFloat256.IsAccelerated) j = BackwardResetAfter<SimdFloat256>(h, gates, hn, hPrev, dh, dgx, dgh, dhPrev);
        BackwardResetAfterReference(j, h, gates, hn, hPrev, dh, dgx, dgh, dhPrev);
    }

    public static void BackwardResetAfterReference(int from, int h, float* gates, float* hn, float* hPrev, float* dh, float* dgx, float* dgh, float* dhPrev)
    {
        for (int j = from; j < h; j++)
        {
            float r = gates[j], u = gates[h + j], n = gates[2 * h + j];
            float dn = dh[j] * (1f - u) * (1f - n * n);
            float du = dh[j] * (hPrev[j] - n) * u * (1f - u);
            float dr = dn * hn[j] * r * (1f - r);
            dgx[j] = dr; dgx[h + j] = du; dgx[2 * h + j] = dn;
            dgh[j] = dr; dgh[h + j] = du; dgh[2 * h + j] = dn * r;
            dhPrev[j] = dh[j] * u;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int BackwardResetAfter<TVec>(int h, float* gates, float* hn, float* hPrev, float* dh, float* dgx, float* dgh, float* dhPrev)
        where TVec : struct, ISimdFloat<TVec>
    {
        int j = 0, w = TVec.Count;
        var one = TVec.Create(1f);
        for (; j + w <= h; j += w)
        {
            var r = TVec.Load(gates + j);
            var u = TVec.Load(gates + h + j);
            var n = TVec.Load(gates + 2 * h + j);
            var d = TVec.Load(dh + j);
            var dn = d * (one - u) * (one - n * n);
            var du = d * (TVec.Load(hPrev + j) - n) * (u * (one - u));
            var dr = dn * TVec.Load(hn + j) * (r * (one - r));
            TVec.Store(dr, dgx + j); TVec.Store(du, dgx + h + j); TVec.Store(dn, dgx + 2 * h + j);
            TVec.Store(dr, dgh + j); TVec.Store(du, dgh + h + j); TVec.Store(dn * r, dgh + 2 * h + j);
            TVec.Store(d * u, dhPrev + j);
        }
        return j;
    }
}
