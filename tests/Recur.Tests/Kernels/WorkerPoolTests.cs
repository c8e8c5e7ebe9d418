using Recur.Kernels;

namespace Recur.Tests.Kernels;

public class WorkerPoolTests
{
    private sealed class Recorder(int parts) : IParallelWork
    {
        public readonly int[] Runs = new int[parts];
        public readonly int[] Threads = new int[parts];

        public void Execute(int part)
        {
            Interlocked.Increment(ref Runs[part]);
            Threads[part] = Environment.CurrentManagedThreadId;
        }
    }

    private sealed class Thrower : IParallelWork
    {
        public void Execute(int part)
        {
            if (part == 1) throw new InvalidOperationException("part 1 failed");
        }
    }

    [Fact]
    public void Every_part_runs_exactly_once_part_zero_on_the_caller()
    {
        for (int call = 0; call < 200; call++)
        {
            var work = new Recorder(3);
            WorkerPool.Run(work, 3);
            Assert.All(work.Runs, r => Assert.Equal(1, r));
            Assert.Equal(Environment.CurrentManagedThreadId, work.Threads[0]);
        }
    }

    [Fact]
    public void Parts_run_on_other_threads_when_the_pool_is_free()
    {
        // Another test may hold the pool for a moment; then all parts run inline. Retry a little.
        bool sawWorker = false;
        for (int call = 0; call < 1000 && !sawWorker; call++)
        {
            var work = new Recorder(2);
            WorkerPool.Run(work, 2);
            sawWorker = work.Threads[1] != Environment.CurrentManagedThreadId;
        }
        Assert.True(sawWorker, "part 1 never ran on a pool worker");
    }

    [Fact]
    public void A_part_that_throws_surfaces_on_the_caller_and_the_pool_keeps_working()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => WorkerPool.Run(new Thrower(), 2));
        Assert.Equal("part 1 failed", ex.Message);
        var work = new Recorder(2);
        WorkerPool.Run(work, 2);
        Assert.All(work.Runs, r => Assert.Equal(1, r));
    }

    [Fact]
    public void Concurrent_callers_each_get_all_their_parts_run()
    {
        var errors = new List<string>();
        var callers = Enumerable.Range(0, 4).Select(id => new Thread(() =>
        {
            for (int call = 0; call < 300; call++)
            {
                var work = new Recorder(2);
                WorkerPool.Run(work, 2);
                if (work.Runs[0] != 1 || work.Runs[1] != 1)
                    lock (errors) errors.Add($"caller {id}, call {call}: runs {work.Runs[0]}, {work.Runs[1]}");
            }
        })).ToList();
        foreach (var t in callers) t.Start();
        foreach (var t in callers) t.Join();
        Assert.Empty(errors);
    }

    [Fact]
    public void Work_posted_after_the_workers_went_to_sleep_still_runs()
    {
        WorkerPool.Run(new Recorder(2), 2);
        Thread.Sleep(50); // well past the spin window: workers block on their semaphores
        var work = new Recorder(2);
        WorkerPool.Run(work, 2);
        Assert.All(work.Runs, r => Assert.Equal(1, r));
    }
}
