using Recur.Kernels;

namespace Recur.Tests.Kernels;

/// <summary>
/// The int8 product of dynamic quantisation: the VPDPBUSD kernel must give its scalar
/// definition's bits at awkward sizes and at the limits of the codes, the codes must round-trip
/// within half a step, and the product must approximate the float one.
/// </summary>
[Collection(KernelSettingsCollection.Name)]
public class Int8GemmTests
{
    private static readonly int[] Sizes = [0, 1, 15, 17, 63, 65, 127, 129];

    private static float[] Uniform(int count, SeededRandom r, float scale = 1f)
        => Enumerable.Range(0, count).Select(_ => r.Uniform(-scale, scale)).ToArray();

    /// <summary>Every int8 tile kind this CPU runs besides the scalar one.</summary>
    public static IEnumerable<object[]> FastKernels() =>
        new[] { "AvxVnni", "Avx2" }.Where(k => k == "Avx2" ? System.Runtime.Intrinsics.X86.Avx2.IsSupported : System.Runtime.Intrinsics.X86.AvxVnni.IsSupported)
            .Select(k => new object[] { k });

    /// <summary>Runs a block with the given int8 tiles, restoring the best ones after.</summary>
    internal static void WithKernel(string kernel, Action body)
    {
        Int8Gemm.Kernel = Enum.Parse<Int8KernelKind>(kernel);
        try
        {
            body();
        }
        finally
        {
            Int8Gemm.Kernel = Int8Gemm.BestKernel;
        }
    }

    [Fact]
    public void This_cpu_runs_a_vector_path()
    {
        Assert.NotEmpty(FastKernels()); // else every int8 test below compares the reference with itself
    }

    [Theory]
    [MemberData(nameof(FastKernels))]
    public void Kernel_equals_the_scalar_reference_bit_for_bit_at_awkward_sizes(string kernel) => WithKernel(kernel, () =>
    {
        var r = new SeededRandom(17);
        foreach (int m in Sizes)
            foreach (int n in Sizes)
                foreach (int k in Sizes)
                {
                    var x = Uniform(m * k, r);
                    var w = new QuantizedMatrix(Uniform(n * k, r), n, k, k);
                    var a = new QuantizedRows();
                    a.Quantize(x, m, k, k);
                    var start = Uniform(m * n, r);
                    foreach (bool accumulate in new[] { false, true })
                    {
                        float[] fast = (float[])start.Clone(), slow = (float[])start.Clone();
                        Int8Gemm.Multiply(a, w, 0, n, fast, n, accumulate);
                        Int8Gemm.Reference(a, w, 0, n, slow, n, accumulate);
                        Assert.True(slow.AsSpan().SequenceEqual(fast), $"{kernel}: M={m} N={n} K={k} accumulate={accumulate}");
                    }
                }
    });

    [Theory]
    [InlineData(16, 129)]
    [InlineData(32, 33)]
    [InlineData(48, 64)]
    public void A_column_range_from_a_later_panel_gives_the_columns_of_the_whole_product(int n0, int n1)
    {
        const int m = 13, n = 129, k = 70;
        var r = new SeededRandom(5);
        var w = new QuantizedMatrix(Uniform(n * k, r), n, k, k);
        var a = new QuantizedRows();
        a.Quantize(Uniform(m * k, r), m, k, k);
        var whole = new float[m * n];
        var range = new float[m * (n1 - n0)];
        Int8Gemm.Multiply(a, w, 0, n, whole, n, accumulate: false);
        Int8Gemm.Multiply(a, w, n0, n1, range, n1 - n0, accumulate: false);
        for (int i = 0; i < m; i++)
            Assert.Equal(whole.AsSpan(i * n + n0, n1 - n0).ToArray(), range.AsSpan(i * (n1 - n0), n1 - n0).ToArray());
    }

    [Fact]
    public void A_column_range_must_start_on_a_panel()
    {
        var w = new QuantizedMatrix(new float[40 * 3], 40, 3, 3);
        var a = new QuantizedRows();
        a.Quantize(new float[3], 1, 3, 3);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Int8Gemm.Multiply(a, w, 8, 40, new float[32], 32, false));
        Assert.Contains("multiple of 16", e.Message);
        Assert.Throws<ArgumentException>(() => Int8Gemm.Multiply(a, new QuantizedMatrix(new float[8], 2, 4, 4), 0, 2, new float[2], 2, false));
    }

    [Theory]
    [MemberData(nameof(FastKernels))]
    public void Codes_at_their_limits_sum_exactly_up_to_the_largest_K(string kernel) => WithKernel(kernel, () =>
    {
        // Every code at its extreme: q = 255 (or 0 with z = 255) against Q = ±127, over K = 65536
        // terms: |Σ| = 255·127·65536 ≈ 2.12e9, just inside an int32.
        const int k = QuantizedMatrix.MaxK, n = 17;
        var w = new float[n * k];
        for (int c = 0; c < n; c++) w.AsSpan(c * k, k).Fill(c % 2 == 0 ? 3f : -3f);
        var qw = new QuantizedMatrix(w, n, k, k);
        Assert.All(Enumerable.Range(0, n), c => Assert.Equal((c % 2 == 0 ? 127 : -127) * k, qw.RowSums[c]));
        var x = new float[2 * k];
        x.AsSpan(0, k).Fill(2f);   // row 0: all at the top, z = 0, q = 255
        x.AsSpan(k, k).Fill(-2f);  // row 1: all at the bottom, z = 255, q = 0
        var a = new QuantizedRows();
        a.Quantize(x, 2, k, k);
        Assert.Equal(0, a.ZeroPoints[0]);
        Assert.Equal(255, a.ZeroPoints[1]);
        float[] fast = new float[2 * n], slow = new float[2 * n];
        Int8Gemm.Multiply(a, qw, 0, n, fast, n, false);
        Int8Gemm.Reference(a, qw, 0, n, slow, n, false);
        Assert.Equal(slow, fast);
        for (int c = 0; c < n; c++)
        {
            float exact = (c % 2 == 0 ? 6f : -6f) * k; // 2·(±3)·K
            Assert.Equal(exact, fast[c], MathF.Abs(exact) * 1e-5f);
            Assert.Equal(-exact, fast[n + c], MathF.Abs(exact) * 1e-5f);
        }
    });

    [Theory]
    [MemberData(nameof(FastKernels))]
    public void Zero_rows_and_a_row_of_one_huge_value_are_exact_where_they_can_be(string kernel) => WithKernel(kernel, () =>
    {
        const int k = 33, n = 20;
        var r = new SeededRandom(9);
        var wf = Uniform(n * k, r);
        wf.AsSpan(3 * k, k).Clear();                  // an all-zero weight row
        var w = new QuantizedMatrix(wf, n, k, k);
        Assert.Equal(0f, w.Scales[3]);
        var x = new float[3 * k];
        x[k + 5] = 1e30f;                             // row 1: one huge value, the rest 0
        Uniform(k, r).CopyTo(x.AsSpan(2 * k));
        x[2 * k + 7] = -3e38f;                        // row 2: one value near −float.MaxValue among small ones
        var a = new QuantizedRows();
        a.Quantize(x, 3, k, k);
        Assert.Equal(0f, a.Scales[0]);                // all zeros: no step, every code 0
        float[] fast = new float[3 * n], slow = new float[3 * n];
        Int8Gemm.Multiply(a, w, 0, n, fast, n, false);
        Int8Gemm.Reference(a, w, 0, n, slow, n, false);
        Assert.Equal(slow, fast);
        Assert.All(fast.AsSpan(0, n).ToArray(), v => Assert.Equal(0f, v));   // a zero row gives exact zeros
        Assert.Equal(0f, fast[n + 3]);
        Assert.Equal(0f, fast[2 * n + 3]);
        for (int c = 0; c < n; c++)
        {
            // The huge value is exact (code 255, z = 0): x·w within the weight's half step.
            float exact = 1e30f * wf[c * k + 5];
            Assert.True(MathF.Abs(fast[n + c] - exact) <= 1e30f * w.Scales[c] * 0.5f * 1.001f, $"column {c}: {fast[n + c]} vs {exact}");
            Assert.True(float.IsFinite(fast[2 * n + c]), $"column {c} of the −3e38 row: {fast[2 * n + c]}");
        }
    });

    [Fact]
    public void Activation_codes_come_back_within_half_a_step_and_match_their_definition()
    {
        var r = new SeededRandom(11);
        foreach (int k in Sizes.Append(256).Append(1000))
        {
            foreach (var shift in new[] { 0f, 0.9f, -0.9f, 5f })  // mixed signs, mostly positive, mostly negative, all positive
            {
                var x = Uniform(k, r).Select(v => v + shift).ToArray();
                var a = new QuantizedRows();
                a.Quantize(x, 1, k, k);
                var back = new float[k];
                a.Dequantize(0, back);
                float s = a.Scales[0];
                for (int j = 0; j < k; j++)
                    Assert.True(MathF.Abs(x[j] - back[j]) <= s * 0.5f * (1 + 1e-5f), $"K={k} shift={shift} x={x[j]} back={back[j]} step={s}");
                var codes = new byte[k];
                var (scale, zero) = QuantizedRows.QuantizeReference(x, codes);
                Assert.Equal(scale, s);
                Assert.Equal(zero, a.ZeroPoints[0]);
                Assert.Equal(codes, a.Codes.AsSpan(0, k).ToArray());
            }
        }
    }

    [Fact]
    public void Zero_is_coded_exactly()
    {
        var x = new float[] { -0.7f, 0f, 0.2f, 0f, 1.3f };
        var a = new QuantizedRows();
        a.Quantize(x, 1, x.Length, x.Length);
        var back = new float[x.Length];
        a.Dequantize(0, back);
        Assert.Equal(0f, back[1]);
        Assert.Equal(0f, back[3]);
    }

    [Fact]
    public void Weight_codes_come_back_within_half_a_step_of_their_row()
    {
        var r = new SeededRandom(13);
        const int n = 37, k = 65;
        var wf = Uniform(n * k, r);
        for (int c = 0; c < n; c++) // rows of very different magnitudes: each gets its own step
            for (int j = 0; j < k; j++) wf[c * k + j] *= MathF.Pow(10f, c % 7 - 3);
        var w = new QuantizedMatrix(wf, n, k, k);
        for (int c = 0; c < n; c++)
        {
            float max = wf.AsSpan(c * k, k).ToArray().Max(MathF.Abs);
            Assert.Equal(max / 127f, w.Scales[c]);
            int sum = 0;
            for (int j = 0; j < k; j++)
            {
                sbyte q = w.Code(c, j);
                sum += q;
                Assert.InRange(q, -127, 127);
                Assert.True(MathF.Abs(wf[c * k + j] - q * w.Scales[c]) <= w.Scales[c] * 0.5f * (1 + 1e-5f), $"row {c} col {j}");
            }
            Assert.Equal(sum, w.RowSums[c]);
        }
    }

    [Fact]
    public void The_product_approximates_the_float_product()
    {
        const int m = 31, n = 70, k = 200;
        var r = new SeededRandom(21);
        var x = Uniform(m * k, r);
        var wf = Uniform(n * k, r);
        var q = new float[m * n];
        Int8Gemm.MultiplyRows(x, m, k, new QuantizedMatrix(wf, n, k, k), q);
        var exact = new float[m * n];
        GemmReference.Multiply(false, true, m, n, k, x, k, wf, k, exact, n, false);
        // Each term is off by at most |x|·w_n/2 + s_m/2·|W| + the product of the two half steps;
        // with |x|, |W| ≤ 1, w_n ≈ 1/127 and s_m ≈ 2/255, the sum over K = 200 is at most about 1.6,
        // and the errors, of random sign, add up to a few hundredths in practice.
        double worst = 0, rms = 0;
        for (int i = 0; i < q.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(q[i] - exact[i]));
            rms += (q[i] - exact[i]) * (q[i] - exact[i]);
        }
        rms = Math.Sqrt(rms / q.Length);
        Assert.True(worst < 0.15, $"largest error {worst}");
        Assert.True(rms < 0.04, $"rms error {rms}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(47)]
    [InlineData(6400)]
    public void Rows_split_across_threads_give_the_bits_of_one_thread(int m)
    {
        const int n = 96, k = 40;
        var r = new SeededRandom(23);
        var x = Uniform(m * k, r);
        var w = new QuantizedMatrix(Uniform(n * k, r), n, k, k);
        float[] one = new float[m * n], two = new float[m * n], slow = new float[m * n];
        using (KernelScope.Use(KernelSettings.BestGemmKernel, threads: 1)) Int8Gemm.MultiplyRows(x, m, k, w, one);
        using (KernelScope.Use(KernelSettings.BestGemmKernel, threads: 2)) Int8Gemm.MultiplyRows(x, m, k, w, two);
        var a = new QuantizedRows();
        a.Quantize(x, m, k, k);
        Int8Gemm.Reference(a, w, 0, n, slow, n, accumulate: false);
        Assert.Equal(one, two);
        Assert.Equal(slow, one);
    }
}
