using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Recur.Models;

namespace Recur.Onnx.Tests;

/// <summary>
/// Runs an exported model in ONNX Runtime with every graph optimisation on (loading it also runs
/// ONNX's checks of types and shapes), and compares its outputs with Recur's.
/// </summary>
internal static class OnnxRuntimeRun
{
    /// <summary>1e-5 relative: |ours − theirs| ≤ 1e-5 · max(1, |ours|) for every element.</summary>
    public const float Tolerance = 1e-5f;

    public static InferenceSession Session(byte[] model)
    {
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        return new InferenceSession(model, options);
    }

    public static NamedOnnxValue Floats(string name, Tensor x) => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(x.Span.ToArray(), x.ShapeArray));

    public static NamedOnnxValue Ids(string name, Tensor x)
        => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<long>(x.Span.ToArray().Select(v => (long)v).ToArray(), x.ShapeArray));

    public static NamedOnnxValue Ints(string name, int[] values) => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<int>(values, [values.Length]));

    /// <summary>Every output of one run, as Recur tensors by name.</summary>
    public static Dictionary<string, Tensor> Run(InferenceSession session, params NamedOnnxValue[] inputs)
    {
        using var results = session.Run(inputs);
        return results.ToDictionary(r => r.Name, r =>
        {
            var t = r.AsTensor<float>();
            return new Tensor(t.ToArray(), t.Dimensions.ToArray());
        });
    }

    /// <summary>The model's output in ONNX Runtime for <paramref name="x"/> (ids when the model starts with an Embedding).</summary>
    public static Tensor Output(Model model, Tensor x, bool ids, OnnxExportOptions? options = null)
    {
        using var session = Session(model.ToOnnx(options));
        return Run(session, ids ? Ids("input", x) : Floats("input", x))["output"];
    }

    public static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.True(expected.ShapeArray.SequenceEqual(actual.ShapeArray),
            $"{what}: shape ({string.Join(", ", actual.ShapeArray)}), expected ({string.Join(", ", expected.ShapeArray)}).");
        var e = expected.Span;
        var a = actual.Span;
        for (int i = 0; i < e.Length; i++)
        {
            float limit = Tolerance * MathF.Max(1f, MathF.Abs(e[i]));
            if (!(MathF.Abs(e[i] - a[i]) <= limit))
                Assert.Fail($"{what}: element {i} is {a[i]:R} in ONNX Runtime, {e[i]:R} in Recur (difference {MathF.Abs(e[i] - a[i]):G3} > {limit:G3}).");
        }
    }
}
