using Recur.Kernels;

namespace Recur.Tests.Kernels;

/// <summary>The time loop calls GEMM thousands of times: in steady state a call allocates nothing.</summary>
[Collection(KernelSettingsCollection.Name)]
public class GemmAllocationTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Repeated_calls_allocate_nothing_on_the_calling_thread(int threads)
    {
        using var scope = KernelScope.Use(KernelSettings.BestGemmKernel, threads);
        var step = new GemmCase(false, true, 64, 1024, 256, pad: 0, seed: 3);   // h · W_hhᵀ
        var input = new GemmCase(false, true, 300, 200, 100, pad: 0, seed: 4);  // rows split
        var packed = Gemm.Pack(true, step.K, step.N, step.B, step.Ldb);
        var c1 = new float[step.C0.Length];
        var c2 = new float[input.C0.Length];

        void Calls()
        {
            Gemm.Multiply(false, step.M, step.A, step.Lda, packed, c1, step.Ldc, accumulate: true);
            Gemm.Multiply(false, true, step.M, step.N, step.K, step.A, step.Lda, step.B, step.Ldb, c1, step.Ldc);
            Gemm.Multiply(false, true, input.M, input.N, input.K, input.A, input.Lda, input.B, input.Ldb, c2, input.Ldc);
            Gemm.Pack(true, step.K, step.N, step.B, step.Ldb, into: packed);
        }

        for (int i = 0; i < 5; i++) Calls(); // workspaces and pool threads come to their size
        // A call that allocates would show in every round; the runtime itself may allocate once
        // in a while on this thread (tiering, thread statics), so one clean round is the proof.
        var rounds = new List<long>();
        for (int round = 0; round < 5 && (rounds.Count == 0 || rounds[^1] != 0); round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++) Calls();
            rounds.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.True(rounds[^1] == 0, $"bytes allocated per round of 20 × 4 calls: {string.Join(", ", rounds)}");
    }
}
