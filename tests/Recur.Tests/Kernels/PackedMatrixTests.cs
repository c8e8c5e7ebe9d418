using Recur.Kernels;

namespace Recur.Tests.Kernels;

[Collection(KernelSettingsCollection.Name)]
public class PackedMatrixTests
{
    [Fact]
    public void Repacking_into_the_same_storage_follows_the_new_weights()
    {
        var first = new GemmCase(false, true, 5, 70, 33, pad: 0, seed: 1);
        var second = new GemmCase(false, true, 5, 70, 33, pad: 0, seed: 2);
        var packed = Gemm.Pack(true, 33, 70, first.B, first.Ldb);
        var again = Gemm.Pack(true, 33, 70, second.B, second.Ldb, into: packed);
        Assert.Same(packed, again);

        var c = (float[])second.C0.Clone();
        Gemm.Multiply(false, 5, second.A, second.Lda, again, c, second.Ldc);
        second.AssertMatchesReference(c, accumulate: false, "repacked");
    }

    [Fact]
    public void A_packing_of_another_shape_is_not_reused()
    {
        var packed = Gemm.Pack(false, 3, 4, new float[12], 4);
        var other = Gemm.Pack(false, 4, 3, new float[12], 3, into: packed);
        Assert.NotSame(packed, other);
        Assert.Equal((4, 3), (other.K, other.N));
    }

    [Fact]
    public void A_packing_keeps_the_kernel_it_was_made_for()
    {
        // Packed under one kernel, used after the setting changed: the panel layout must still match.
        var gemm = new GemmCase(true, false, 21, 53, 40, pad: 1, seed: 4);
        PackedMatrix packed;
        using (KernelScope.Use(GemmKernelKind.Scalar))
            packed = Gemm.Pack(false, gemm.K, gemm.N, gemm.B, gemm.Ldb);
        var c = (float[])gemm.C0.Clone();
        Gemm.Multiply(true, gemm.M, gemm.A, gemm.Lda, packed, c, gemm.Ldc, accumulate: true);
        Assert.Equal(GemmKernelKind.Scalar, packed.Kernel);
        gemm.AssertMatchesReference(c, accumulate: true, "packed under the scalar kernel");
    }
}
