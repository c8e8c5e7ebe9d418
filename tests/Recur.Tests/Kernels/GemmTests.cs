using System.Runtime.Intrinsics.X86;
using Recur.Kernels;

namespace Recur.Tests.Kernels;

/// <summary>The fast GEMM behind the seam against the reference, for every kernel on this CPU.</summary>
[Collection(KernelSettingsCollection.Name)]
public class GemmTests
{
    private static readonly int[] Sizes = [0, 1, 2, 3, 7, 15, 16, 17, 31, 33, 63, 64, 65, 127, 129];

    /// <summary>(M, N, K) triples mixing every awkward size in every position.</summary>
    public static IEnumerable<(int M, int N, int K)> Shapes()
    {
        int n = Sizes.Length;
        for (int i = 0; i < n; i++)
        {
            yield return (Sizes[i], Sizes[(i + 5) % n], Sizes[(i + 11) % n]);
            yield return (Sizes[(i + 3) % n], Sizes[i], Sizes[(i + 8) % n]);
            yield return (Sizes[(i + 9) % n], Sizes[(i + 1) % n], Sizes[i]);
        }
        // Edge panels made of whole vectors (8, 16, 32 columns past a full panel), which the
        // kernels write directly instead of through an edge tile.
        yield return (17, 8, 9);
        yield return (3, 24, 17);
        yield return (5, 32, 20);
        yield return (9, 80, 33);
        // One or two rows across several full panels (the kernels' short-tile path).
        yield return (1, 250, 40);
        yield return (2, 400, 17);
    }

    /// <summary>Kernel (by name: the enum is internal), trans flags and accumulate.</summary>
    public static TheoryData<string, bool, bool, bool> Combinations()
    {
        var data = new TheoryData<string, bool, bool, bool>();
        foreach (string kernel in KernelScope.SupportedKernelNames)
            foreach (bool transA in new[] { false, true })
                foreach (bool transB in new[] { false, true })
                    foreach (bool accumulate in new[] { false, true })
                        data.Add(kernel, transA, transB, accumulate);
        return data;
    }

    /// <summary>Hardware FMA makes every kernel's result the exact fused chain.</summary>
    private static bool HasFma => Fma.IsSupported;

    [Theory]
    [MemberData(nameof(Combinations))]
    public void Multiply_matches_the_reference_at_awkward_sizes_with_padded_leading_dimensions(
        string kernel, bool transA, bool transB, bool accumulate)
        => CheckAllShapes(kernel, transA, transB, accumulate, packed: false);

    [Theory]
    [MemberData(nameof(Combinations))]
    public void Multiply_by_packed_B_matches_the_reference(
        string kernel, bool transA, bool transB, bool accumulate)
        => CheckAllShapes(kernel, transA, transB, accumulate, packed: true);

    private static void CheckAllShapes(string kernel, bool transA, bool transB, bool accumulate, bool packed)
    {
        using var scope = KernelScope.Use(kernel);
        int seed = packed ? 100 : 1;
        foreach (var (m, n, k) in Shapes())
        {
            var gemm = new GemmCase(transA, transB, m, n, k, pad: packed ? 2 : 3, seed: seed++);
            var c = packed ? gemm.FastPacked(accumulate) : gemm.Fast(accumulate);
            string label = $"{kernel}{(packed ? " packed" : "")} {gemm} accumulate={accumulate}";
            gemm.AssertMatchesReference(c, accumulate, label);
            if (HasFma) gemm.AssertEqualsFusedChain(c, accumulate, label);
        }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void Multiply_blocks_K_without_changing_the_fused_chain(bool transA, bool transB)
    {
        // K beyond every kernel's KC: C is carried between K blocks.
        foreach (var kernel in KernelScope.SupportedKernels)
        {
            using var scope = KernelScope.Use(kernel);
            var gemm = new GemmCase(transA, transB, 9, 50, 700, pad: 1, seed: 5);
            foreach (bool accumulate in new[] { false, true })
            {
                var c = gemm.Fast(accumulate);
                gemm.AssertMatchesReference(c, accumulate, $"{kernel} {gemm}");
                if (HasFma) gemm.AssertEqualsFusedChain(c, accumulate, $"{kernel} {gemm}");
            }
        }
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void Multiply_blocks_N_and_M_beyond_every_kernels_block_sizes(bool transA, bool transB)
    {
        // N past every NC (B re-packed per column block), M past every MC (A re-packed per row block).
        foreach (var kernel in KernelScope.SupportedKernels)
        {
            using var scope = KernelScope.Use(kernel);
            foreach (var (m, n, k) in new[] { (3, 4200, 20), (200, 7, 30) })
            {
                var gemm = new GemmCase(transA, transB, m, n, k, pad: 1, seed: 6);
                var c = gemm.Fast(accumulate: true);
                gemm.AssertMatchesReference(c, true, $"{kernel} {gemm}");
                if (HasFma) gemm.AssertEqualsFusedChain(c, true, $"{kernel} {gemm}");
            }
        }
    }

    [Fact]
    public void Multiply_with_K_zero_clears_C_or_leaves_it_when_accumulating()
    {
        var gemm = new GemmCase(false, false, 3, 4, 0, pad: 2);
        var cleared = gemm.Fast(accumulate: false);
        var kept = gemm.Fast(accumulate: true);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 4; j++)
            {
                Assert.Equal(0f, cleared[i * gemm.Ldc + j]);
                Assert.Equal(gemm.C0[i * gemm.Ldc + j], kept[i * gemm.Ldc + j]);
            }
        Assert.Equal(GemmCase.Sentinel, cleared[4]);
    }

    [Fact]
    public void Helpers_match_the_reference_for_contiguous_operands()
    {
        var rng = new SeededRandom(3);
        int m = 17, n = 33, k = 65;
        float[] a = Random(rng, m * k), b = Random(rng, k * n), bt = Random(rng, n * k), at = Random(rng, k * m);
        float[] c = new float[m * n], expected = new float[m * n];

        Gemm.MatMul(a, b, c, m, n, k);
        GemmReference.Multiply(false, false, m, n, k, a, k, b, n, expected, n, false);
        AssertClose(expected, c, k);

        Gemm.MatMulTransB(a, bt, c, m, n, k);
        GemmReference.Multiply(false, true, m, n, k, a, k, bt, k, expected, n, false);
        AssertClose(expected, c, k);

        Gemm.MatMulTransA(at, b, c, m, n, k, accumulate: true);
        GemmReference.Multiply(true, false, m, n, k, at, m, b, n, expected, n, true);
        AssertClose(expected, c, k);
    }

    private static void AssertClose(float[] expected, float[] actual, int k)
    {
        // Operands in [-1, 1]: |A|·|B| ≤ K per element, plus one accumulated C.
        double tol = 4 * (k + 2) * k / (double)(1 << 23);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol, $"element {i}: {actual[i]} vs {expected[i]}");
    }

    private static float[] Random(SeededRandom rng, int n)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = rng.Uniform(-1f, 1f);
        return x;
    }
}
