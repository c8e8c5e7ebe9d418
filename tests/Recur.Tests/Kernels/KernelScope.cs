using Recur.Kernels;

namespace Recur.Tests.Kernels;

/// <summary>
/// Tests that switch the process-wide kernel settings belong to this collection, which xunit
/// runs alone, so no other test sees (or changes) the settings while they run.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KernelSettingsCollection
{
    public const string Name = "Kernel settings";
}

/// <summary>Sets the GEMM kernel and thread count for a block, restoring both on dispose.</summary>
internal readonly struct KernelScope : IDisposable
{
    private readonly GemmKernelKind _kernel;
    private readonly int _threads;

    private KernelScope(GemmKernelKind kernel, int threads)
    {
        _kernel = KernelSettings.GemmKernel;
        _threads = KernelSettings.Threads;
        KernelSettings.GemmKernel = kernel;
        KernelSettings.Threads = threads;
    }

    public static KernelScope Use(GemmKernelKind kernel, int threads = 1) => new(kernel, threads);

    /// <summary>Same, by kernel name (theory data of public tests cannot use the internal enum).</summary>
    public static KernelScope Use(string kernel, int threads = 1) => new(Enum.Parse<GemmKernelKind>(kernel), threads);

    public void Dispose()
    {
        KernelSettings.GemmKernel = _kernel;
        KernelSettings.Threads = _threads;
    }

    /// <summary>Every GEMM kernel this CPU runs (the scalar one always).</summary>
    public static IEnumerable<GemmKernelKind> SupportedKernels =>
        Enum.GetValues<GemmKernelKind>().Where(KernelSettings.IsSupported);

    public static IEnumerable<string> SupportedKernelNames => SupportedKernels.Select(k => k.ToString());
}
