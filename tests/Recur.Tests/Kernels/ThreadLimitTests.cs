using Recur.Kernels;

namespace Recur.Tests.Kernels;

/// <summary>
/// <see cref="RecurSettings.LimitThreads"/>: a bound for the calling thread alone. It reads the
/// process-wide count (and sets it, to have one above the bound), so it runs alone.
/// </summary>
[Collection(KernelSettingsCollection.Name)]
public class ThreadLimitTests
{
    [Fact]
    public void A_limit_bounds_the_calling_thread_until_disposed_and_nests()
    {
        using var all = KernelScope.Use(KernelSettings.GemmKernel, threads: 6);
        Assert.Equal(6, RecurSettings.ThreadsOnThisThread);
        using (RecurSettings.LimitThreads(3))
        {
            Assert.Equal(3, RecurSettings.ThreadsOnThisThread);
            Assert.Equal(6, RecurSettings.Threads);
            using (RecurSettings.LimitThreads(1)) Assert.Equal(1, RecurSettings.ThreadsOnThisThread);
            Assert.Equal(3, RecurSettings.ThreadsOnThisThread);
            // Above the process-wide count, the count holds.
            using (RecurSettings.LimitThreads(8)) Assert.Equal(6, RecurSettings.ThreadsOnThisThread);
        }
        Assert.Equal(6, RecurSettings.ThreadsOnThisThread);
    }

    [Fact]
    public void Other_threads_keep_the_process_wide_count_and_a_second_dispose_changes_nothing()
    {
        using var all = KernelScope.Use(KernelSettings.GemmKernel, threads: 4);
        var outer = RecurSettings.LimitThreads(2);
        int seenElsewhere = 0;
        var other = new Thread(() => seenElsewhere = RecurSettings.ThreadsOnThisThread);
        other.Start();
        other.Join();
        Assert.Equal(4, seenElsewhere);
        var inner = RecurSettings.LimitThreads(1);
        inner.Dispose();
        Assert.Equal(2, RecurSettings.ThreadsOnThisThread);
        inner.Dispose();
        Assert.Equal(2, RecurSettings.ThreadsOnThisThread);
        outer.Dispose();
        Assert.Equal(4, RecurSettings.ThreadsOnThisThread);
    }

    [Fact]
    public void On_the_calling_thread_is_one_thread_whatever_the_limit()
    {
        using var all = KernelScope.Use(KernelSettings.GemmKernel, threads: 4);
        using (RecurSettings.LimitThreads(3))
            Assert.Equal(1, RecurSettings.OnCallingThread(() => RecurSettings.ThreadsOnThisThread));
        Assert.Equal(4, RecurSettings.ThreadsOnThisThread);
    }

    [Fact]
    public void A_limit_below_one_is_refused_with_its_value()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => RecurSettings.LimitThreads(0));
        Assert.Equal("threads", e.ParamName);
        Assert.Equal(0, e.ActualValue);
        Assert.Equal(RecurSettings.Threads, RecurSettings.ThreadsOnThisThread);
    }
}
