using BenchmarkDotNet.Attributes;

namespace Recur.Bench;

/// <summary>
/// BenchmarkDotNet runs of the recurrent cases of <see cref="LayerCase.All"/> (the cases of
/// bench/compare.sh) on 1 and 2 threads, with a GFLOP/s column.
/// Run: <c>dotnet run -c Release --project bench/Recur.Bench -- bdn --filter *LayerBenchmarks*</c>.
/// </summary>
[Config(typeof(GflopsConfig))]
public class LayerBenchmarks
{
    private LayerStep? _step;

    public static IEnumerable<string> Cases => LayerCase.All.Select(c => c.Name);

    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = LayerCase.All[0].Name;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        RecurSettings.Threads = Threads;
        _step = LayerCase.All.Single(c => c.Name == Case).Build();
    }

    [Benchmark]
    public void Step() => _step!.Run();
}
