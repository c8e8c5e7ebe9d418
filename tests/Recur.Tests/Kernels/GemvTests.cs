using Recur.Kernels;

namespace Recur.Tests.Kernels;

/// <summary>
/// The one-row product over unit panels must give the packed GEMM's bits (a sequence computed
/// alone and inside a batch must agree), and its vector path must agree with its definition.
/// </summary>
[Collection(KernelSettingsCollection.Name)]
public unsafe class GemvTests
{
    public static IEnumerable<object[]> Shapes() =>
        from n in new[] { 1, 15, 16, 17, 33, 63, 64, 65, 130 }
        from k in new[] { 1, 7, 128 }
        select new object[] { n, k };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void One_row_matches_the_packed_gemm_bit_for_bit(int n, int k)
    {
        const int G = 3;
        var r = new SeededRandom((ulong)(n * 1000 + k));
        var a = Enumerable.Range(0, k).Select(_ => r.Uniform(-1f, 1f)).ToArray();
        var w = Enumerable.Range(0, G * n * k).Select(_ => r.Uniform(-1f, 1f)).ToArray(); // (G·n, k), as W_hh
        var panels = new UnitPanels(G, n, k);
        panels.Pack(w);
        var start = Enumerable.Range(0, G * n).Select(_ => r.Uniform(-1f, 1f)).ToArray();
        foreach (bool accumulate in new[] { false, true })
        {
            float[] gemv = (float[])start.Clone(), scalar = (float[])start.Clone(), packed = (float[])start.Clone();
            fixed (float* pa = a, pc = gemv, ps = scalar)
                for (int g = 0; g < G; g++)
                {
                    Gemv.Multiply(n, k, pa, panels.Panel(g, 0), pc + g * n, accumulate);
                    Gemv.Reference(0, n, k, pa, panels.Panel(g, 0), ps + g * n, accumulate);
                }
            using (KernelScope.Use(KernelSettings.BestGemmKernel))
                Gemm.Multiply(false, 1, a, k, Gemm.Pack(true, k, G * n, w, k), packed, G * n, accumulate); // a · Wᵀ
            Assert.Equal(scalar, gemv);
            Assert.Equal(packed, gemv);
        }
    }

    [Fact]
    public void A_range_starting_at_a_later_panel_reads_its_own_units()
    {
        const int n = 50, k = 9;
        var r = new SeededRandom(3);
        var a = Enumerable.Range(0, k).Select(_ => r.Uniform(-1f, 1f)).ToArray();
        var w = Enumerable.Range(0, n * k).Select(_ => r.Uniform(-1f, 1f)).ToArray();
        var panels = new UnitPanels(1, n, k);
        panels.Pack(w);
        var whole = new float[n];
        var range = new float[n];
        fixed (float* pa = a, pw = whole, pr = range)
        {
            Gemv.Multiply(n, k, pa, panels.Panel(0, 0), pw, accumulate: false);
            Gemv.Multiply(n - 32, k, pa, panels.Panel(0, 2), pr + 32, accumulate: false); // units [32, 50)
        }
        Assert.Equal(whole.AsSpan(32).ToArray(), range.AsSpan(32).ToArray());
        Assert.All(range.AsSpan(0, 32).ToArray(), v => Assert.Equal(0f, v));
    }
}
