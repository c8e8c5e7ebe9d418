using System.Runtime.CompilerServices;

namespace Recur.Kernels;

// Shapes: one row of a batch; H hidden. z and gates are [i | f | g | o], each H wide.

/// <summary>
/// The LSTM step's element-wise part, fused into one pass per row: activations, cell update
/// and output (forward); the gate derivatives and dc_{t−1} (backward). The <c>Reference</c>
/// methods are the plain scalar definitions; the others run them with the widest vectors the
/// CPU has (σ and tanh within a few ulp) and use the reference for the tail of each row.
/// </summary>
internal static unsafe class LstmPointwise
{
    /// <summary>
    /// z (4H) pre-activations → activated gates, in place; c = f⊙c_{t−1} + i⊙g; tc = tanh c; h = o⊙tc;
    /// for <paramref name="units"/> units whose four gates lie <paramref name="stride"/> apart in z
    /// (H for a whole row; a range of a row's units passes its own count with stride H).
    /// </summary>
    public static void Forward(int units, int stride, float* z, float* cPrev, float* c, float* tc, float* hOut)
    {
        int j = 0;
        if (SimdFloat512.IsAccelerated) j = Forward<SimdFloat512>(units, stride, z, cPrev, c, tc, hOut);
        else if (SimdFloat256.IsAccelerated) j = Forward<SimdFloat256>(units, stride, z, cPrev, c, tc, hOut);
        ForwardReference(j, units, stride, z, cPrev, c, tc, hOut);
    }

    /// <summary>The scalar definition over units [from, units).</summary>
    public static void ForwardReference(int from, int units, int stride, float* z, float* cPrev, float* c, float* tc, float* hOut)
    {
        int h = stride;
        for (int j = from; j < units; j++)
        {
            float i = Activations.Sigmoid(z[j]), f = Activations.Sigmoid(z[h + j]);
            float g = MathF.Tanh(z[2 * h + j]), o = Activations.Sigmoid(z[3 * h + j]);
            z[j] = i; z[h + j] = f; z[2 * h + j] = g; z[3 * h + j] = o;
            c[j] = f * cPrev[j] + i * g;
            tc[j] = MathF.Tanh(c[j]);
            hOut[j] = o * tc[j];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Forward<TVec>(int units, int stride, float* z, float* cPrev, float* c, float* tc, float* hOut)
        where TVec : struct, ISimdFloat<TVec>
    {
        int j = 0, w = TVec.Count, h = stride;
        for (; j + w <= units; j += w)
        {
            var i = FastMath.Sigmoid(TVec.Load(z + j));
            var f = FastMath.Sigmoid(TVec.Load(z + h + j));
            var g = FastMath.Tanh(TVec.Load(z + 2 * h + j));
            var o = FastMath.Sigmoid(TVec.Load(z + 3 * h + j));
            TVec.Store(i, z + j);
            TVec.Store(f, z + h + j);
            TVec.Store(g, z + 2 * h + j);
            TVec.Store(o, z + 3 * h + j);
            var ct = TVec.FusedMultiplyAdd(f, TVec.Load(cPrev + j), i * g);
            var t = FastMath.Tanh(ct);
            TVec.Store(ct, c + j);
            TVec.Store(t, tc + j);
            TVec.Store(o * t, hOut + j);
        }
        return j;
    }

    /// <summary>
    /// From the activated gates (4H), tanh c_t, c_{t−1}, ∂L/∂h_t and ∂L/∂c_t (from t+1): the
    /// pre-activation gradients dz (4H) and ∂L/∂c_{t−1}.
    /// <code>
    /// dc = dc_next + dh⊙o⊙(1 − tc²)      dz_o = dh⊙tc⊙o(1 − o)
    /// dz_i = dc⊙g⊙i(1 − i)   dz_f = dc⊙c_{t−1}⊙f(1 − f)   dz_g = dc⊙i⊙(1 − g²)   dc_{t−1} = dc⊙f
    /// </code>
    /// <paramref name="dc"/> may alias <paramref name="dcPrev"/> (each column is read before it is written).
    /// </summary>
    public static void Backward(int h, float* gates, float* tc, float* cPrev, float* dh, float* dc, float* dz, float* dcPrev)
    {
        int j = 0;
        if (SimdFloat512.IsAccelerated) j = Backward<SimdFloat512>(h, gates, tc, cPrev, dh, dc, dz, dcPrev);
        else if (SimdFloat256.IsAccelerated) j = Backward<SimdFloat256>(h, gates, tc, cPrev, dh, dc, dz, dcPrev);
        BackwardReference(j, h, gates, tc, cPrev, dh, dc, dz, dcPrev);
    }

    public static void BackwardReference(int from, int h, float* gates, float* tc, float* cPrev, float* dh, float* dc, float* dz, float* dcPrev)
    {
        for (int j = from; j < h; j++)
        {
            float i = gates[j], f = gates[h + j], g = gates[2 * h + j], o = gates[3 * h + j];
            float dcT = dc[j] + dh[j] * o * (1f - tc[j] * tc[j]);
            dz[j] = dcT * g * i * (1f - i);
            dz[h + j] = dcT * cPrev[j] * f * (1f - f);
            dz[2 * h + j] = dcT * i * (1f - g * g);
            dz[3 * h + j] = dh[j] * tc[j] * o * (1f - o);
            dcPrev[j] = dcT * f;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Backward<TVec>(int h, float* gates, float* tc, float* cPrev, float* dh, float* dc, float* dz, float* dcPrev)
        where TVec : struct, ISimdFloat<TVec>
    {
        int j = 0, w = TVec.Count;
        var one = TVec.Create(1f);
        for (; j + w <= h; j += w)
        {
            var i = TVec.Load(gates + j);
            var f = TVec.Load(gates + h + j);
            var g = TVec.Load(gates + 2 * h + j);
            var o = TVec.Load(gates + 3 * h + j);
            var t = TVec.Load(tc + j);
            var dht = TVec.Load(dh + j);
            var dcT = TVec.FusedMultiplyAdd(dht * o, one - t * t, TVec.Load(dc + j));
            TVec.Store(dcT * g * (i * (one - i)), dz + j);
            TVec.Store(dcT * TVec.Load(cPrev + j) * (f * (one - f)), dz + h + j);
            TVec.Store(dcT * i * (one - g * g), dz + 2 * h + j);
            TVec.Store(dht * t * (o * (one - o)), dz + 3 * h + j);
            TVec.Store(dcT * f, dcPrev + j);
        }
        return j;
    }
}
