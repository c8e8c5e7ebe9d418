using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Recur.Kernels;

namespace Recur.Bench;

/// <summary>
/// BenchmarkDotNet runs of the GEMM shapes of <see cref="GemmShape.All"/> on 1 and 2 threads,
/// with a GFLOP/s column. Run: <c>dotnet run -c Release --project bench/Recur.Bench -- bdn --filter *Gemm*</c>.
/// </summary>
[Config(typeof(GflopsConfig))]
public class GemmBenchmarks
{
    private Action _run = () => { };

    public static IEnumerable<GemmShape> Shapes => GemmShape.All;

    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; } = GemmShape.All[0];

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        KernelSettings.Threads = Threads;
        _run = GemmCase.Create(Shape);
    }

    [Benchmark]
    public void Multiply() => _run();
}

/// <summary>The per-core FMA peak (register-resident Vector512 FMAs) on 1 and 2 threads, as a benchmark.</summary>
[Config(typeof(GflopsConfig))]
public class PeakBenchmarks
{
    private sealed class FmaLoop : IParallelWork
    {
        public void Execute(int part) => PeakFlops.Loop(PeakFlops.BenchmarkIterations);
    }

    private readonly FmaLoop _loop = new();

    [Params(1, 2)]
    public int Threads { get; set; }

    [Benchmark]
    public void Fma() => WorkerPool.Run(_loop, Threads, Threads);
}

/// <summary>Adds a GFLOP/s column, from each benchmark's <c>Shape.Flops</c> or <c>Flops</c>.</summary>
public sealed class GflopsConfig : ManualConfig
{
    public GflopsConfig()
    {
        AddColumn(new GflopsColumn());
    }

    private sealed class GflopsColumn : IColumn
    {
        public string Id => "GFLOPS";
        public string ColumnName => "GFLOP/s";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "Floating-point operations per second, 10⁹ (2·M·N·K per GEMM; LayerCase.Flops per layer step)";

        public bool IsAvailable(Summary summary) => true;
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var report = summary[benchmarkCase];
            if (report?.ResultStatistics is not { } stats) return "-";
            var type = benchmarkCase.Descriptor.Type;
            double flops = type == typeof(GemmBenchmarks) && benchmarkCase.Parameters["Shape"] is GemmShape shape ? shape.Flops
                : type == typeof(LayerBenchmarks) && benchmarkCase.Parameters["Case"] is string name
                    ? LayerCase.All.Single(c => c.Name == name).Flops
                : type == typeof(PeakBenchmarks) && benchmarkCase.Parameters["Threads"] is int threads
                    ? threads * PeakFlops.BenchmarkIterations * PeakFlops.FlopsPerIteration
                    : double.NaN;
            return (flops / stats.Mean).ToString("F1"); // flops per ns = GFLOP/s
        }
    }
}
