using System.Runtime.ExceptionServices;

namespace Recur.Cli.Common;

/// <summary>Runs the members of an ensemble side by side, at most a given number at once.</summary>
internal static class ParallelMembers
{
    /// <summary>
    /// Calls <paramref name="train"/> for members 0 … <paramref name="count"/> − 1, at most
    /// <paramref name="sideBySide"/> at once, each on a thread of its own; the first member's
    /// exception (an <see cref="InputException"/> among them) is rethrown as it was, not wrapped.
    /// </summary>
    public static void Run(int count, int sideBySide, Action<int> train)
    {
        var threads = new Thread[Math.Min(count, sideBySide)];
        var errors = new Exception?[count];
        int next = -1;
        for (int t = 0; t < threads.Length; t++)
        {
            threads[t] = new Thread(() =>
            {
                for (int m = Interlocked.Increment(ref next); m < count; m = Interlocked.Increment(ref next))
                {
                    try
                    {
                        train(m);
                    }
                    catch (Exception e)
                    {
                        errors[m] = e;
                    }
                }
            })
            { IsBackground = true, Name = $"member {t + 1}" };
            threads[t].Start();
        }
        foreach (var thread in threads) thread.Join();
        if (errors.FirstOrDefault(e => e is not null) is { } first) ExceptionDispatchInfo.Throw(first);
    }
}
