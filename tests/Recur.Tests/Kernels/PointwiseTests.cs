using System.Reflection;
using Recur.Kernels;

namespace Recur.Tests.Kernels;

/// <summary>
/// The fused recurrent pointwise kernels against their scalar references, at awkward widths,
/// on every vector path: the host's own dispatch, and each vector width forced (the vector body
/// for whole vectors, then the reference for the tail, as the dispatch does), so an AVX2-only
/// machine's 256-bit path and an AVX-512 machine's 512-bit path are both run wherever the tests
/// run (a width the CPU lacks runs in software, with the same results).
/// </summary>
public unsafe class PointwiseTests
{
    private const string Dispatch = "dispatch";

    public static IEnumerable<object[]> Widths() =>
        from path in new[] { Dispatch, nameof(SimdFloat256), nameof(SimdFloat512) }
        from h in new[] { 1, 2, 7, 15, 16, 17, 31, 32, 33, 63, 64, 65, 130 }
        select new object[] { h, path };

    private static float[] Random(int n, SeededRandom r, float scale) => Enumerable.Range(0, n).Select(_ => r.Uniform(-scale, scale)).ToArray();

    private static void Close(float[] expected, float[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= 2e-6f * MathF.Max(1f, MathF.Abs(expected[i])),
                $"{what}[{i}]: fast {actual[i]}, reference {expected[i]}");
    }

    private static object P(float* p) => Pointer.Box(p, typeof(float*));

    /// <summary>
    /// Runs the private vector body <paramref name="kernel"/>.<paramref name="name"/>&lt;TVec&gt; with
    /// TVec named by <paramref name="path"/> (its first argument is the unit count) and returns the
    /// first unit it left to the reference: every whole vector must have been done.
    /// </summary>
    private static int Body(string path, Type kernel, string name, params object[] args)
    {
        var vector = path == nameof(SimdFloat256) ? typeof(SimdFloat256) : typeof(SimdFloat512);
        var body = kernel.GetMethods(BindingFlags.NonPublic | BindingFlags.Static)
            .Single(m => m.Name == name && m.IsGenericMethodDefinition).MakeGenericMethod(vector);
        int j = (int)body.Invoke(null, args)!;
        int units = (int)args[0], width = (int)vector.GetProperty(nameof(SimdFloat256.Count))!.GetValue(null)!;
        Assert.Equal(units / width * width, j);
        return j;
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Lstm_forward_and_backward_match_the_reference(int h, string path)
    {
        var r = new SeededRandom(h);
        var z = Random(4 * h, r, 6f);
        var cp = Random(h, r, 2f);
        float[] z1 = (float[])z.Clone(), z2 = (float[])z.Clone();
        float[] c1 = new float[h], c2 = new float[h], t1 = new float[h], t2 = new float[h], h1 = new float[h], h2 = new float[h];
        fixed (float* pz1 = z1, pz2 = z2, pcp = cp, pc1 = c1, pc2 = c2, pt1 = t1, pt2 = t2, ph1 = h1, ph2 = h2)
        {
            if (path == Dispatch) LstmPointwise.Forward(h, h, pz1, pcp, pc1, pt1, ph1);
            else LstmPointwise.ForwardReference(Body(path, typeof(LstmPointwise), "Forward", h, h, P(pz1), P(pcp), P(pc1), P(pt1), P(ph1)), h, h, pz1, pcp, pc1, pt1, ph1);
            LstmPointwise.ForwardReference(0, h, h, pz2, pcp, pc2, pt2, ph2);
        }
        Close(z2, z1, "gates"); Close(c2, c1, "c"); Close(t2, t1, "tanh c"); Close(h2, h1, "h");

        var dh = Random(h, r, 1f);
        var dc = Random(h, r, 1f);
        float[] dz1 = new float[4 * h], dz2 = new float[4 * h], dcp1 = new float[h], dcp2 = new float[h];
        fixed (float* g = z2, t = t2, pcp = cp, pdh = dh, pdc = dc, pdz1 = dz1, pdz2 = dz2, p1 = dcp1, p2 = dcp2)
        {
            if (path == Dispatch) LstmPointwise.Backward(h, g, t, pcp, pdh, pdc, pdz1, p1);
            else LstmPointwise.BackwardReference(Body(path, typeof(LstmPointwise), "Backward", h, P(g), P(t), P(pcp), P(pdh), P(pdc), P(pdz1), P(p1)), h, g, t, pcp, pdh, pdc, pdz1, p1);
            LstmPointwise.BackwardReference(0, h, g, t, pcp, pdh, pdc, pdz2, p2);
        }
        Close(dz2, dz1, "dz"); Close(dcp2, dcp1, "dc_prev");
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Gru_forward_and_backward_match_the_reference(int h, string path)
    {
        var r = new SeededRandom(100 + h);
        var z = Random(3 * h, r, 4f);
        var rec = Random(3 * h, r, 2f);
        var bhn = Random(h, r, 0.5f);
        var hp = Random(h, r, 1f);
        float[] z1 = (float[])z.Clone(), z2 = (float[])z.Clone(), hn1 = new float[h], hn2 = new float[h];
        float[] h1 = new float[h], h2 = new float[h];
        fixed (float* pz1 = z1, pz2 = z2, prec = rec, phn1 = hn1, phn2 = hn2, pb = bhn, php = hp, ph1 = h1, ph2 = h2)
        {
            if (path == Dispatch) GruPointwise.ForwardResetAfter(h, h, pz1, prec, pb, php, phn1, ph1);
            else GruPointwise.ForwardResetAfterReference(Body(path, typeof(GruPointwise), "ForwardResetAfter", h, h, P(pz1), P(prec), P(pb), P(php), P(phn1), P(ph1)), h, h, pz1, prec, pb, php, phn1, ph1);
            GruPointwise.ForwardResetAfterReference(0, h, h, pz2, prec, pb, php, phn2, ph2);
        }
        Close(z2, z1, "gates"); Close(hn2, hn1, "hn"); Close(h2, h1, "h");

        var dh = Random(h, r, 1f);
        float[] dx1 = new float[3 * h], dx2 = new float[3 * h], dr1 = new float[3 * h], dr2 = new float[3 * h], dp1 = new float[h], dp2 = new float[h];
        fixed (float* g = z2, phn = hn2, php = hp, pdh = dh, a1 = dx1, a2 = dx2, b1 = dr1, b2 = dr2, c1 = dp1, c2 = dp2)
        {
            if (path == Dispatch) GruPointwise.BackwardResetAfter(h, g, phn, php, pdh, a1, b1, c1);
            else GruPointwise.BackwardResetAfterReference(Body(path, typeof(GruPointwise), "BackwardResetAfter", h, P(g), P(phn), P(php), P(pdh), P(a1), P(b1), P(c1)), h, g, phn, php, pdh, a1, b1, c1);
            GruPointwise.BackwardResetAfterReference(0, h, g, phn, php, pdh, a2, b2, c2);
        }
        Close(dx2, dx1, "dgx"); Close(dr2, dr1, "dgh"); Close(dp2, dp1, "dh_prev");
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Gru_reset_before_passes_match_the_reference(int h, string path)
    {
        var r = new SeededRandom(200 + h);
        var z = Random(3 * h, r, 6f);
        var hp = Random(h, r, 1f);
        float[] z1 = (float[])z.Clone(), z2 = (float[])z.Clone();
        float[] rh1 = new float[h], rh2 = new float[h], h1 = new float[h], h2 = new float[h];
        var k = typeof(GruResetBeforePointwise);
        fixed (float* pz1 = z1, pz2 = z2, php = hp, a1 = rh1, a2 = rh2, b1 = h1, b2 = h2)
        {
            if (path == Dispatch) GruResetBeforePointwise.ForwardGates(h, pz1, php, a1);
            else GruResetBeforePointwise.ForwardGatesReference(Body(path, k, "ForwardGates", h, P(pz1), P(php), P(a1)), h, pz1, php, a1);
            GruResetBeforePointwise.ForwardGatesReference(0, h, pz2, php, a2);
            if (path == Dispatch) GruResetBeforePointwise.ForwardState(h, pz1, php, b1);
            else GruResetBeforePointwise.ForwardStateReference(Body(path, k, "ForwardState", h, P(pz1), P(php), P(b1)), h, pz1, php, b1);
            GruResetBeforePointwise.ForwardStateReference(0, h, pz2, php, b2);
        }
        Close(z2, z1, "gates"); Close(rh2, rh1, "r⊙h"); Close(h2, h1, "h");

        var dh = Random(h, r, 1f);
        var drh = Random(h, r, 1f);
        float[] dx1 = new float[3 * h], dx2 = new float[3 * h], drh1 = (float[])drh.Clone(), drh2 = (float[])drh.Clone();
        fixed (float* g = z2, php = hp, pdh = dh, a1 = dx1, a2 = dx2, c1 = drh1, c2 = drh2)
        {
            if (path == Dispatch) GruResetBeforePointwise.BackwardNZ(h, g, php, pdh, a1);
            else GruResetBeforePointwise.BackwardNZReference(Body(path, k, "BackwardNZ", h, P(g), P(php), P(pdh), P(a1)), h, g, php, pdh, a1);
            GruResetBeforePointwise.BackwardNZReference(0, h, g, php, pdh, a2);
            if (path == Dispatch) GruResetBeforePointwise.BackwardR(h, g, php, pdh, a1, c1);
            else GruResetBeforePointwise.BackwardRReference(Body(path, k, "BackwardR", h, P(g), P(php), P(pdh), P(a1), P(c1)), h, g, php, pdh, a1, c1);
            GruResetBeforePointwise.BackwardRReference(0, h, g, php, pdh, a2, c2);
        }
        Close(dx2, dx1, "dgx"); Close(drh2, drh1, "dh_prev");

        // Under recurrent dropout (dh null): the multiplies saw h_{t−1} ⊙ m_h, and dh ⊙ z is added after.
        float[] dp1 = (float[])drh.Clone(), dp2 = (float[])drh.Clone(), rx1 = new float[3 * h], rx2 = new float[3 * h];
        fixed (float* g = z2, php = hp, a1 = rx1, a2 = rx2, c1 = dp1, c2 = dp2)
        {
            if (path == Dispatch) GruResetBeforePointwise.BackwardR(h, g, php, null, a1, c1);
            else GruResetBeforePointwise.BackwardRReference(Body(path, k, "BackwardR", h, P(g), P(php), P(null), P(a1), P(c1)), h, g, php, null, a1, c1);
            GruResetBeforePointwise.BackwardRReference(0, h, g, php, null, a2, c2);
        }
        Close(rx2, rx1, "dgx (dropped)"); Close(dp2, dp1, "d(h ⊙ m) (dropped)");
        for (int j = 0; j < h; j++)
        {
            Assert.Equal(dx2[j], rx2[j]); // the same dz_r as without dropout for the same h
            Assert.Equal(drh[j] * z2[j], dp2[j]); // drh ⊙ r, without the direct path
        }
    }
}
