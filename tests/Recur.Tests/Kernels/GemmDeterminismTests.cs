using System.Runtime.Intrinsics.X86;
using Recur.Kernels;

namespace Recur.Tests.Kernels;

/// <summary>
/// Results must not depend on the thread count (training is deterministic whatever
/// <see cref="RecurSettings.Threads"/> is), nor, on CPUs with FMA, on the kernel.
/// </summary>
[Collection(KernelSettingsCollection.Name)]
public class GemmDeterminismTests
{
    /// <summary>Large enough to be split (≥ the parallel threshold), with edge tiles in both M and N.</summary>
    public static TheoryData<int, int, int> ParallelShapes() => new()
    {
        { 129, 257, 65 },   // N larger: columns split
        { 263, 97, 70 },    // M larger: rows split
        { 64, 1024, 256 },  // the recurrent step h·W_hhᵀ at B = 64
        { 9, 700, 300 },    // one row panel: columns split, K blocked
        { 2, 1500, 300 },   // two rows over many panels: short tiles
        { 1, 2000, 300 },   // one row (a matrix-vector product)
    };

    [Theory]
    [MemberData(nameof(ParallelShapes))]
    public void One_and_two_threads_give_bit_identical_results(int m, int n, int k)
    {
        Assert.True(2.0 * m * n * k >= GemmParallel.MinParallelFlops, "shape too small to be split");
        foreach (var kernel in KernelScope.SupportedKernels)
            foreach (bool transA in new[] { false, true })
                foreach (bool transB in new[] { false, true })
                {
                    var gemm = new GemmCase(transA, transB, m, n, k, pad: 1, seed: m + n);
                    foreach (bool accumulate in new[] { false, true })
                    {
                        float[] one, two, onePacked, twoPacked;
                        using (KernelScope.Use(kernel, threads: 1))
                        {
                            one = gemm.Fast(accumulate);
                            onePacked = gemm.FastPacked(accumulate);
                        }
                        using (KernelScope.Use(kernel, threads: 2))
                        {
                            two = gemm.Fast(accumulate);
                            twoPacked = gemm.FastPacked(accumulate);
                        }
                        string label = $"{kernel} {gemm} accumulate={accumulate}";
                        AssertBitIdentical(one, two, label);
                        AssertBitIdentical(one, onePacked, label + " packed");
                        AssertBitIdentical(one, twoPacked, label + " packed, 2 threads");
                    }
                }
    }

    [Fact]
    public void Every_kernel_gives_the_same_bits_on_a_CPU_with_FMA()
    {
        if (!Fma.IsSupported) return; // without FMA the scalar kernel rounds each product
        var gemm = new GemmCase(false, true, 37, 101, 300, pad: 2, seed: 9);
        float[]? first = null;
        foreach (var kernel in KernelScope.SupportedKernels)
        {
            using var scope = KernelScope.Use(kernel, threads: 2);
            var c = gemm.Fast(accumulate: true);
            if (first == null) first = c;
            else AssertBitIdentical(first, c, kernel.ToString());
        }
        Assert.NotNull(first);
    }

    [Fact]
    public void The_default_kernel_is_the_widest_this_CPU_accelerates()
    {
        var expected = Avx512F.IsSupported && System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated
            ? GemmKernelKind.Vector512
            : Fma.IsSupported && Avx2.IsSupported ? GemmKernelKind.Vector256 : GemmKernelKind.Scalar;
        Assert.Equal(expected, KernelSettings.BestGemmKernel);
        Assert.Equal(KernelSettings.BestGemmKernel, KernelSettings.GemmKernel);
    }

    private static void AssertBitIdentical(float[] expected, float[] actual, string label)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{label}: element {i} differs: {expected[i]:R} vs {actual[i]:R}.");
    }
}
