using Recur.Kernels;

namespace Recur.Tests.Kernels;

/// <summary>The seam rejects bad arguments with messages naming the operand, expected and actual values.</summary>
[Collection(KernelSettingsCollection.Name)]
public class GemmValidationTests
{
    [Fact]
    public void Negative_sizes_are_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(false, false, 2, -1, 3, new float[6], 3, new float[3], 1, new float[2], 1));
        Assert.Contains("N=-1", ex.Message);
    }

    [Theory]
    [InlineData(false, false, "A", "leading dimension 2 is smaller than its 3 columns")]
    [InlineData(true, false, "A", "leading dimension 2 is smaller than its 4 columns")]
    public void A_leading_dimension_below_its_columns_is_rejected(bool transA, bool transB, string name, string message)
    {
        // op(A) is (4, 3): stored (4, 3), or (3, 4) when transposed.
        var ex = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(transA, transB, 4, 5, 3, new float[100], 2, new float[100], 5, new float[100], 5));
        Assert.Contains($"GEMM {name}", ex.Message);
        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public void Spans_too_short_for_their_shape_are_rejected_naming_the_operand()
    {
        // A (2, 3) ld 3 needs 6; B (3, 4) ld 5 needs 14; C (2, 4) ld 4 needs 8.
        var a = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(false, false, 2, 4, 3, new float[5], 3, new float[14], 5, new float[8], 4));
        Assert.Contains("GEMM A: (2, 3) with leading dimension 3 needs 6 elements; the span has 5", a.Message);

        var b = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(false, false, 2, 4, 3, new float[6], 3, new float[13], 5, new float[8], 4));
        Assert.Contains("GEMM B: (3, 4) with leading dimension 5 needs 14 elements; the span has 13", b.Message);

        var bt = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(false, true, 2, 4, 3, new float[6], 3, new float[11], 3, new float[8], 4));
        Assert.Contains("GEMM B: (4, 3) with leading dimension 3 needs 12 elements; the span has 11", bt.Message);

        var c = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(false, false, 2, 4, 3, new float[6], 3, new float[14], 5, new float[7], 4));
        Assert.Contains("GEMM C: (2, 4) with leading dimension 4 needs 8 elements; the span has 7", c.Message);
    }

    [Fact]
    public void C_leading_dimension_below_N_is_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(false, false, 2, 4, 3, new float[6], 3, new float[12], 4, new float[100], 3));
        Assert.Contains("GEMM C: leading dimension 3 is smaller than its 4 columns", ex.Message);
    }

    [Fact]
    public void Packed_multiply_checks_A_and_C_against_the_packed_shape()
    {
        var packed = Gemm.Pack(false, 3, 4, new float[12], 4); // op(B) (3, 4)
        var a = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, 2, new float[5], 3, packed, new float[8], 4));
        Assert.Contains("GEMM A: (2, 3) with leading dimension 3 needs 6 elements; the span has 5", a.Message);
        var c = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, 2, new float[6], 3, packed, new float[8], 3));
        Assert.Contains("GEMM C: leading dimension 3 is smaller than its 4 columns", c.Message);
        var m = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, -2, new float[6], 3, packed, new float[8], 4));
        Assert.Contains("M=-2", m.Message);
        Assert.Throws<ArgumentNullException>(() => Gemm.Multiply(false, 2, new float[6], 3, null!, new float[8], 4));
    }

    [Fact]
    public void Pack_checks_B_and_its_sizes()
    {
        var b = Assert.Throws<ArgumentException>(() => Gemm.Pack(true, 3, 4, new float[11], 3));
        Assert.Contains("GEMM B: (4, 3) with leading dimension 3 needs 12 elements; the span has 11", b.Message);
        var size = Assert.Throws<ArgumentException>(() => Gemm.Pack(false, -1, 4, new float[12], 4));
        Assert.Contains("K=-1", size.Message);
    }

    [Fact]
    public void Threads_below_one_are_rejected()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => RecurSettings.Threads = 0);
        Assert.Contains("at least 1", ex.Message);
        Assert.True(RecurSettings.Threads >= 1);
    }
}
