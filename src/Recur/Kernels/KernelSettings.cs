using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Recur.Kernels;

/// <summary>Which GEMM micro-kernel runs (see <see cref="IGemmKernel"/>).</summary>
internal enum GemmKernelKind
{
    /// <summary><see cref="GemmKernelScalar"/>: any CPU.</summary>
    Scalar,

    /// <summary><see cref="GemmKernel256"/>: AVX2 with FMA.</summary>
    Vector256,

    /// <summary><see cref="GemmKernel512"/>: AVX-512.</summary>
    Vector512,
}

/// <summary>
/// Process-wide knobs of the numerical kernels. <see cref="RecurSettings"/> is the public face.
/// </summary>
internal static class KernelSettings
{
    private static int s_threads = Environment.ProcessorCount;

    /// <summary>
    /// How many threads a kernel may use (the caller plus pool workers), at least 1.
    /// Results do not depend on it: kernels split work only where each output element is
    /// computed by the same operations whatever the split.
    /// </summary>
    public static int Threads
    {
        get => Volatile.Read(ref s_threads);
        set
        {
            if (value < 1)
                throw new ArgumentOutOfRangeException(nameof(value), value, "Threads must be at least 1.");
            Volatile.Write(ref s_threads, value);
        }
    }

    /// <summary>The calling thread's own bound on <see cref="Threads"/> (0: none), set by <see cref="LimitThreads"/>.</summary>
    [ThreadStatic] private static int t_limit;

    /// <summary>
    /// How many threads a kernel called from this thread may use: <see cref="Threads"/>, or less
    /// inside a <see cref="LimitThreads"/> scope of this thread, or 1 inside parallel work
    /// (<see cref="WorkerPool.InWork"/>: a chunk, or <see cref="WorkerPool.RunAlone"/>).
    /// </summary>
    public static int ThreadsHere
    {
        get
        {
            if (WorkerPool.InWork) return 1;
            int all = Threads;
            return t_limit is > 0 and var limit && limit < all ? limit : all;
        }
    }

    /// <summary>
    /// Bounds <see cref="ThreadsHere"/> on the calling thread to <paramref name="threads"/> until
    /// the returned scope is disposed, which restores the bound before it (scopes nest).
    /// </summary>
    public static IDisposable LimitThreads(int threads)
    {
        if (threads < 1)
            throw new ArgumentOutOfRangeException(nameof(threads), threads, "Threads must be at least 1.");
        var scope = new ThreadLimitScope(t_limit);
        t_limit = threads;
        return scope;
    }

    private sealed class ThreadLimitScope(int outer) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            t_limit = outer;
        }
    }

    /// <summary>The fastest micro-kernel this CPU runs, chosen once at startup.</summary>
    public static GemmKernelKind BestGemmKernel { get; } =
        IsSupported(GemmKernelKind.Vector512) ? GemmKernelKind.Vector512
        : IsSupported(GemmKernelKind.Vector256) ? GemmKernelKind.Vector256
        : GemmKernelKind.Scalar;

    // Declared after BestGemmKernel: static initializers run in textual order.
    private static GemmKernelKind s_gemmKernel = BestGemmKernel;

    /// <summary>The micro-kernel new GEMM calls and packings use; tests switch it to cover every path.</summary>
    public static GemmKernelKind GemmKernel
    {
        get => s_gemmKernel;
        set
        {
            if (!IsSupported(value))
                throw new ArgumentOutOfRangeException(nameof(value), value, $"This CPU does not accelerate the {value} GEMM kernel.");
            s_gemmKernel = value;
        }
    }

    public static bool IsSupported(GemmKernelKind kind) => kind switch
    {
        GemmKernelKind.Vector512 => Vector512.IsHardwareAccelerated && Avx512F.IsSupported,
        GemmKernelKind.Vector256 => Vector256.IsHardwareAccelerated && Avx2.IsSupported && Fma.IsSupported,
        _ => true,
    };
}
