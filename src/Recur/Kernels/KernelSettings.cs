namespace Recur.Kernels;

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
}
