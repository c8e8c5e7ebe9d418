using System.Runtime.CompilerServices;

namespace Recur.Kernels;

/// <summary>
/// Element-wise exp, σ and tanh on SIMD vectors, written once for every width
/// (<see cref="ISimdFloat{TSelf}"/>). Accuracy is measured against the scalar references in
/// the tests (FastActivationsTests): within 2 ulp over the whole float range where the result
/// is normal.
/// </summary>
internal static class FastMath
{
    // Range reduction x = n·ln2 + r, |r| ≤ ln2/2. Ln2Hi has its low 8 bits zero, so n·Ln2Hi is
    // exact for |n| < 256; Ln2Lo carries the rest of ln 2.
    private const float Log2E = 1.44269504f;
    private const float Ln2Hi = 0.693145752f;
    private const float Ln2Lo = 1.42860677e-6f;

    // e^r ≈ 1 + r + r²·P(r) on |r| ≤ ln2/2: minimax (relative error) P of degree 4, 0.8 ulp.
    private const float P0 = 4.999999404e-01f, P1 = 1.666652113e-01f, P2 = 4.166838899e-02f;
    private const float P3 = 8.368730545e-03f, P4 = 1.381456852e-03f;

    // tanh x ≈ x + x³·Q(x²) on |x| < TanhSmall: minimax (relative error) Q of degree 4, 0.7 ulp.
    private const float TanhSmall = 0.625f;
    private const float Q0 = -3.333328068e-01f, Q1 = 1.333144158e-01f, Q2 = -5.373971537e-02f;
    private const float Q3 = 2.063908987e-02f, Q4 = -5.704990588e-03f;

    /// <summary>
    /// e^x: 0 below −103.97 (smaller than half the least denormal), +∞ above 88.72, NaN for NaN;
    /// results below 2⁻¹²⁶ are denormal, rounded once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Exp<TVec>(TVec x) where TVec : struct, ISimdFloat<TVec>
    {
        // Clamped so that n stays in [−150, 128], where 2^n is a product of two normal floats.
        var xc = TVec.Clamp(x, TVec.Create(-104f), TVec.Create(88.8f));
        var n = TVec.Round(xc * TVec.Create(Log2E));
        var r = TVec.FusedMultiplyAdd(n, TVec.Create(-Ln2Hi), xc);
        r = TVec.FusedMultiplyAdd(n, TVec.Create(-Ln2Lo), r);
        var p = TVec.FusedMultiplyAdd(TVec.Create(P4), r, TVec.Create(P3));
        p = TVec.FusedMultiplyAdd(p, r, TVec.Create(P2));
        p = TVec.FusedMultiplyAdd(p, r, TVec.Create(P1));
        p = TVec.FusedMultiplyAdd(p, r, TVec.Create(P0));
        var er = TVec.FusedMultiplyAdd(r * r, p, r) + TVec.Create(1f);
        return TVec.Select(TVec.IsNaN(x), x, TVec.ScaleByPowerOfTwo(er, n));
    }

    /// <summary>
    /// σ(x) = 1 / (1 + e^(−x)), computed as the reference does: with e = e^(−|x|) ≤ 1,
    /// σ = 1/(1 + e) for x ≥ 0 and e/(1 + e) for x &lt; 0, so neither side overflows or cancels.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Sigmoid<TVec>(TVec x) where TVec : struct, ISimdFloat<TVec>
    {
        var e = Exp(-TVec.Abs(x));
        var one = TVec.Create(1f);
        return TVec.Select(TVec.LessThan(x, TVec.Create(0f)), e, one) / (one + e);
    }

    /// <summary>
    /// tanh x: an odd polynomial for |x| &lt; 0.625; beyond, (1 − e)/(1 + e) with e = e^(−2|x|),
    /// which has no cancellation there and saturates to exactly ±1. The sign is copied from x,
    /// so tanh(−0) = −0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Tanh<TVec>(TVec x) where TVec : struct, ISimdFloat<TVec>
    {
        var ax = TVec.Abs(x);
        var z = ax * ax;
        var q = TVec.FusedMultiplyAdd(TVec.Create(Q4), z, TVec.Create(Q3));
        q = TVec.FusedMultiplyAdd(q, z, TVec.Create(Q2));
        q = TVec.FusedMultiplyAdd(q, z, TVec.Create(Q1));
        q = TVec.FusedMultiplyAdd(q, z, TVec.Create(Q0));
        var small = TVec.FusedMultiplyAdd(ax * z, q, ax);

        var one = TVec.Create(1f);
        var e = Exp(TVec.Create(-2f) * ax);
        var large = (one - e) / (one + e);
        return TVec.CopySign(TVec.Select(TVec.LessThan(ax, TVec.Create(TanhSmall)), small, large), x);
    }
}
