using System.Runtime.InteropServices;
using Recur.Kernels;

namespace Recur.Bench;

/// <summary>
/// Micro-kernel alone, on L1/L2-resident packed panels: the ceiling the blocked GEMM can reach.
/// </summary>
internal static unsafe class MicroKernelTable
{
    public static void Print()
    {
        double peak = PeakFlops.PerCore;
        Console.WriteLine($"measured per-core FMA peak: {peak:F1} GFLOP/s");
        Console.WriteLine($"{"kernel",-16} {"kc",5} {"rows",4} {"GFLOP/s",8} {"% peak",7}");
        Row<GemmKernel512>("avx512", peak);
    }

    private static void Row<TKernel>(string name, double peak) where TKernel : IGemmKernel
    {
        int mr = TKernel.MR, nr = TKernel.NR;
        foreach (int kc in new[] { 64, 128, 256, 384 })
        {
            foreach (int rows in new[] { mr, 1 })
            {
                // Several row panels share one B micro-panel, as in the blocked loop.
                const int panels = 16;
                float* a = (float*)NativeMemory.AlignedAlloc((nuint)(panels * kc * mr * 4), 64);
                float* b = (float*)NativeMemory.AlignedAlloc((nuint)(kc * nr * 4), 64);
                float* c = (float*)NativeMemory.AlignedAlloc((nuint)(panels * mr * nr * 4), 64);
                for (int i = 0; i < panels * kc * mr; i++) a[i] = 1e-3f * (i % 7);
                for (int i = 0; i < kc * nr; i++) b[i] = 1e-3f * (i % 5);
                for (int i = 0; i < panels * mr * nr; i++) c[i] = 0;
                double sec = GemmTable.Time(() =>
                {
                    for (int t = 0; t < panels; t++)
                        GemmTile.Run<TKernel>(kc, a + t * kc * mr, b, c + t * mr * nr, nr, rows, nr / TKernel.Lanes, true);
                });
                double gflops = 2.0 * panels * rows * nr * kc / sec / 1e9;
                Console.WriteLine($"{name,-16} {kc,5} {rows,4} {gflops,8:F1} {100 * gflops / peak,6:F1}%");
                NativeMemory.AlignedFree(a); NativeMemory.AlignedFree(b); NativeMemory.AlignedFree(c);
            }
        }
    }
}
