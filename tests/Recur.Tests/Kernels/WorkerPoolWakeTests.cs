using System.Reflection;
using Recur.Kernels;

namespace Recur.Tests.Kernels;

/// <summary>
/// That the pool's workers really take chunks, awake or asleep, shown without sleeping: the
/// caller's chunk blocks until another chunk has run on a worker thread, which only a working
/// worker can do. In the serialized collection so no other test holds the pool (a busy pool
/// runs every chunk on the caller). The wait is bounded only so a broken pool fails, not hangs.
/// </summary>
[Collection(KernelSettingsCollection.Name)]
public class WorkerPoolWakeTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(20);

    /// <summary>Whichever chunk the caller claims first waits until some chunk ran on a worker.</summary>
    private sealed class Rendezvous : IParallelWork
    {
        private readonly int _caller = Environment.CurrentManagedThreadId;
        private readonly ManualResetEventSlim _workerRan = new();
        public bool TimedOut;

        public void Execute(int chunk)
        {
            if (Environment.CurrentManagedThreadId != _caller) _workerRan.Set();
            else if (!_workerRan.Wait(HangGuard)) TimedOut = true;
        }

        public bool WorkerRan => _workerRan.IsSet;
    }

    private static void RunOnAWorker()
    {
        var work = new Rendezvous();
        WorkerPool.Run(work, 2, 2);
        Assert.False(work.TimedOut, $"no chunk ran on a pool worker within {HangGuard.TotalSeconds} s");
        Assert.True(work.WorkerRan);
    }

    [Fact]
    public void Workers_take_chunks_the_caller_has_not_claimed()
    {
        for (int call = 0; call < 20; call++) RunOnAWorker();
    }

    [Fact]
    public void Work_posted_after_the_workers_went_to_sleep_still_runs_on_them()
    {
        WorkerPool.Run(new Rendezvous(), 2, 2); // the first worker exists
        var worker = ((Array)typeof(WorkerPool).GetField("s_workers", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!).GetValue(0)!;
        var sleeping = worker.GetType().GetField("_sleeping", BindingFlags.NonPublic | BindingFlags.Instance)!;
        // Wait for the state, not for a time: the worker blocks after its spin window.
        var deadline = DateTime.UtcNow + HangGuard;
        while ((int)sleeping.GetValue(worker)! != 1)
        {
            Assert.True(DateTime.UtcNow < deadline, "the idle worker never went to sleep");
            Thread.Yield();
        }
        RunOnAWorker();
    }
}
