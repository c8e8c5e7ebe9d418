using Recur.Kernels;
using Recur.Layers.Recurrent;
using Recur.Tests.Kernels;
using Recur.Tests.Testing;

namespace Recur.Tests.Layers.Recurrent;

/// <summary>
/// The time loop, forward and back, allocates nothing in steady state: its buffers are kept with
/// the direction's cache from one pass to the next (row blocks, one-row unit parts, every cell).
/// </summary>
[Collection(KernelSettingsCollection.Name)]
public class SequenceLoopAllocationTests
{
    [Theory]
    [InlineData("lstm", 24, 1)]
    [InlineData("lstm", 24, 2)]
    [InlineData("lstm", 1, 2)]
    [InlineData("gru", 24, 2)]
    [InlineData("gru", 1, 2)]
    [InlineData("rnn_tanh", 24, 2)]
    public void Forward_and_backward_passes_allocate_nothing_on_the_calling_thread(string cellName, int batch, int threads)
    {
        using var scope = KernelScope.Use(KernelSettings.BestGemmKernel, threads);
        const int T = 6, I = 5, H = 64;
        int G = cellName == "lstm" ? 4 : cellName == "gru" ? 3 : 1, GH = G * H;
        var random = new SeededRandom(9);
        Tensor Random(params int[] shape) => GradientCheck.RandomTensor(random, 0.3f, shape);
        var (wih, whh, bih, bhh) = (Random(GH, I), Random(GH, H), Random(GH), Random(GH));
        RecurrentCell cell = cellName switch
        {
            "lstm" => new LstmCell(H, whh, bhh),
            "gru" => new GruCell(H, resetAfter: true, whh, bhh),
            _ => new SimpleRnnCell(H, RnnActivation.Tanh, whh, bhh),
        };
        var x = Random(T, batch, I).ToArray();
        var dy = Random(T, batch, H).ToArray();
        var h0 = new float[batch * H];
        var c0 = new float[batch * H];
        var (dWih, dBih, dWhh, dBhh) = (new float[GH * I], new float[GH], new float[GH * H], new float[GH]);
        var (dx, dh0, dc0) = (new float[T * batch * I], new float[batch * H], new float[batch * H]);
        DirectionCache? cache = null;

        void Pass()
        {
            cache = SequenceLoop.Forward(cell, x, T, batch, I, wih, bih, h0, c0, valid: null, reverse: false, reuse: cache);
            SequenceLoop.Backward(cell, cache, x, I, wih, dy, default, default, valid: null,
                dWih, dBih, dWhh, dBhh, dx, dh0, cell.HasCellState ? dc0 : default);
        }

        for (int i = 0; i < 5; i++) Pass(); // caches, workspaces and pool threads come to their size
        // As for the GEMM: the runtime may allocate once in a while on this thread (tiering,
        // thread statics), so one clean round is the proof; an allocating pass shows in every round.
        var rounds = new List<long>();
        for (int round = 0; round < 5 && (rounds.Count == 0 || rounds[^1] != 0); round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10; i++) Pass();
            rounds.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.True(rounds[^1] == 0, $"bytes allocated per round of 10 passes: {string.Join(", ", rounds)}");
        Assert.Contains(dWhh, g => g != 0f); // the passes did real work
    }
}
