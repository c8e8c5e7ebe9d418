using BenchmarkDotNet.Running;
using Recur.Bench;

// A dispatcher of benchmark modes; each mode lives in its own file.
//   peak        per-core Vector512 FMA peak, 1 and 2 threads
//   kernel      the GEMM micro-kernel alone on cache-resident panels
//   gemm        quick GEMM table: shape, ms, GFLOP/s, % of measured peak, 1 and 2 threads
//   act         σ and tanh: scalar reference against the vectorized kernels
//   pool        hand-off cost of the kernel worker pool
//   layers [case…]  the recurrent training/streaming cases (see LayerCase), one line each
//   seq2seq [rounds] [batches]  training-step time of recur translate's encoder–decoder configurations
//   infer CASE  an inference case of InferCases.cs in Recur, one line
//   ort CASE THREADS  the same case in ONNX Runtime on the model Recur.Onnx exports, one line
//   bdn [args]  BenchmarkDotNet over the [Benchmark] classes (args go to BenchmarkSwitcher)
string mode = args.Length > 0 ? args[0] : "gemm";
string[] rest = args.Skip(1).ToArray();
switch (mode)
{
    case "peak":
        PeakFlops.PrintTable();
        break;
    case "kernel":
        MicroKernelTable.Print();
        break;
    case "gemm":
        GemmTable.Print(rest);
        break;
    case "act":
        ActivationTable.Print();
        break;
    case "pool":
        PoolTable.Print();
        break;
    case "layers":
        LayerTable.Print(rest);
        break;
    case "seq2seq":
        Seq2SeqTable.Print(rest);
        break;
    case "infer":
        InferTable.Ours(rest);
        break;
    case "ort":
        InferTable.OnnxRuntime(rest);
        break;
    case "bdn":
        BenchmarkSwitcher.FromAssembly(typeof(PeakFlops).Assembly).Run(rest);
        break;
    default:
        Console.Error.WriteLine($"Unknown mode '{mode}'. Modes: peak, kernel, gemm, act, pool, layers, seq2seq, infer, ort, bdn.");
        return 1;
}
return 0;
