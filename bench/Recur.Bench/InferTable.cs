using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Onnx;

namespace Recur.Bench;

/// <summary>
/// One inference case timed in Recur (<c>infer CASE</c>) or in ONNX Runtime on the exported model
/// (<c>ort CASE THREADS</c>: intra-op threads, graph optimisation on), one line each:
/// <c>case=… ms=… gflops=… rss_mb=… threads=…</c>. bench/compare.sh runs each in its own process.
/// An int8 case is the quantised layer in Recur and the float32 model in ONNX Runtime.
/// </summary>
internal static class InferTable
{
    public static void Ours(string[] args)
    {
        var c = InferCase.Find(args.Length > 0 ? args[0] : InferCase.All[0].Name);
        var (model, layer, x, lengths) = c.Build();
        if (c.Int8) layer = (RecurrentLayer)model.Quantize().Layers[0]; // W_ih and W_hh in int8, made once
        var mask = lengths is null ? null : SequenceMask.FromLengths(lengths, c.T);
        double ms = StepTimer.MedianMs(() => layer.ForwardWithState(x, mask: mask));
        Print(c, ms, RecurSettings.Threads);
    }

    public static void OnnxRuntime(string[] args)
    {
        var c = InferCase.Find(args.Length > 0 ? args[0] : InferCase.All[0].Name);
        int threads = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1;
        var (model, _, x, lengths) = c.Build();
        // No state inputs or outputs: the plainest graph (Transpose, LSTM/GRU, Squeeze, Transpose), the peer at its best.
        byte[] onnx = model.ToOnnx(new OnnxExportOptions { LengthsInput = lengths is not null, States = false });
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        using var session = new InferenceSession(onnx, options);
        var names = new List<string> { "input" };
        var values = new List<OrtValue> { OrtValue.CreateTensorValueFromMemory(x.Span.ToArray(), [c.B, c.T, c.I]) };
        if (lengths is not null)
        {
            names.Add("lengths");
            values.Add(OrtValue.CreateTensorValueFromMemory(lengths, [c.B]));
        }
        var outputs = session.OutputNames.ToList();
        using var run = new RunOptions();
        double ms = StepTimer.MedianMs(() =>
        {
            using var results = session.Run(run, names, values, outputs);
        });
        foreach (var v in values) v.Dispose();
        Print(c, ms, threads);
    }

    private static void Print(InferCase c, double ms, int threads)
        => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"case={c.Name} ms={ms:F3} gflops={c.Flops / (ms * 1e6):F1} rss_mb={StepTimer.PeakRssMb:F0} threads={threads}"));
}
