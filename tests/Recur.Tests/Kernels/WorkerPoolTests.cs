using Recur.Kernels;

namespace Recur.Tests.Kernels;

public class WorkerPoolTests
{
    private sealed class Recorder(int chunks) : IParallelWork
    {
        public readonly int[] Runs = new int[chunks];
        public readonly int[] Threads = new int[chunks];

        public void Execute(int chunk)
        {
            Interlocked.Increment(ref Runs[chunk]);
            Threads[chunk] = Environment.CurrentManagedThreadId;
        }
    }

    private sealed class Thrower : IParallelWork
    {
        public void Execute(int chunk)
        {
            if (chunk == 1) throw new InvalidOperationException("chunk 1 failed");
        }
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(2, 2)]
    [InlineData(7, 2)]
    [InlineData(40, 3)]
    public void Every_chunk_runs_exactly_once(int chunks, int threads)
    {
        for (int call = 0; call < 200; call++)
        {
            var work = new Recorder(chunks);
            WorkerPool.Run(work, chunks, threads);
            Assert.All(work.Runs, r => Assert.Equal(1, r));
        }
    }

    [Fact]
    public void On_the_calling_thread_every_chunk_runs_on_the_caller_and_the_pool_is_back_after()
    {
        var work = new Recorder(8);
        int caller = Environment.CurrentManagedThreadId;
        bool inside = RecurSettings.OnCallingThread(() =>
        {
            WorkerPool.Run(work, 8, 8);
            return WorkerPool.InWork;
        });
        Assert.True(inside);
        Assert.All(work.Threads, t => Assert.Equal(caller, t));
        Assert.All(work.Runs, r => Assert.Equal(1, r));
        Assert.False(WorkerPool.InWork);
        Assert.Throws<InvalidOperationException>(() => RecurSettings.OnCallingThread<int>(() => throw new InvalidOperationException("work failed")));
        Assert.False(WorkerPool.InWork); // restored after a failure too
    }

    [Fact]
    public void A_chunk_that_throws_surfaces_on_the_caller_and_the_pool_keeps_working()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => WorkerPool.Run(new Thrower(), 2, 2));
        Assert.Equal("chunk 1 failed", ex.Message);
        var work = new Recorder(2);
        WorkerPool.Run(work, 2, 2);
        Assert.All(work.Runs, r => Assert.Equal(1, r));
    }

    [Fact]
    public void Concurrent_callers_each_get_all_their_chunks_run()
    {
        var errors = new List<string>();
        var callers = Enumerable.Range(0, 4).Select(id => new Thread(() =>
        {
            for (int call = 0; call < 300; call++)
            {
                var work = new Recorder(5);
                WorkerPool.Run(work, 5, 2);
                if (work.Runs.Any(r => r != 1))
                    lock (errors) errors.Add($"caller {id}, call {call}: runs {string.Join(",", work.Runs)}");
            }
        })).ToList();
        foreach (var t in callers) t.Start();
        foreach (var t in callers) t.Join();
        Assert.Empty(errors);
    }

    [Fact]
    public void Too_many_chunks_are_rejected()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => WorkerPool.Run(new Recorder(1), WorkerPool.MaxChunks + 1, 2));
        Assert.Contains("At most 4095 chunks", ex.Message);
    }
}
