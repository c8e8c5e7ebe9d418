using Microsoft.ML.OnnxRuntime;
using Recur.Cli;
using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Models;

namespace Recur.Onnx.Tests;

/// <summary><c>recur export --model DIR --onnx FILE</c>: the file, its metadata, and bad input as one line with exit code 2.</summary>
public sealed class ExportCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recur-export-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Output, string Error) Recur(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>A run directory as recur classify leaves it: model.recur and task.json.</summary>
    private (string Dir, Sequential Model) Run()
    {
        string run = Path.Combine(_dir, "run");
        Directory.CreateDirectory(run);
        var model = new Sequential(seed: 1, new Embedding(6, 4, maskZero: true), new Bidirectional(new Gru(3)), new Dense(2));
        model.Build(-1);
        model.Save(Path.Combine(run, "model.recur"));
        File.WriteAllText(Path.Combine(run, "task.json"),
            """{"task":"classify","vocabulary":["<pad>","<unk>","a","good","bad","film"],"labels":["negative","positive"],"max_length":10}""");
        return (run, model);
    }

    [Fact]
    public void Exports_a_run_with_its_task_as_metadata()
    {
        var (run, model) = Run();
        string onnx = Path.Combine(_dir, "model.onnx");

        var (code, output, error) = Recur("export", "--model", run, "--onnx", onnx);

        Assert.True(code == 0, error);
        Assert.Contains("wrote", output);
        using var session = OnnxRuntimeRun.Session(File.ReadAllBytes(onnx));
        var meta = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal("classify", meta["task"]);
        Assert.Equal("""["<pad>","<unk>","a","good","bad","film"]""", meta["vocabulary"]);
        Assert.Equal("""["negative","positive"]""", meta["labels"]);
        Assert.Equal("10", meta["max_length"]);
        var ids = Tensor.FromArray([2, 3, 5, 0, 4, 5, 0, 0], 2, 4);
        OnnxRuntimeRun.AssertClose(model.Predict(ids), OnnxRuntimeRun.Run(session, OnnxRuntimeRun.Ids("input", ids))["output"], "recur export");
    }

    [Fact]
    public void No_states_leaves_one_input_and_one_output()
    {
        var (run, _) = Run();
        string onnx = Path.Combine(_dir, "plain.onnx");

        var (code, _, error) = Recur("export", "--model", Path.Combine(run, "model.recur"), "--onnx", onnx, "--no-states");

        Assert.True(code == 0, error);
        using var session = OnnxRuntimeRun.Session(File.ReadAllBytes(onnx));
        Assert.Equal(["input"], session.InputMetadata.Keys);
        Assert.Equal(["output"], session.OutputMetadata.Keys);
        Assert.Empty(session.OverridableInitializerMetadata);
    }

    [Fact]
    public void A_model_that_does_not_load_is_one_line_and_no_file()
    {
        string run = Path.Combine(_dir, "broken");
        Directory.CreateDirectory(run);
        File.WriteAllBytes(Path.Combine(run, "model.recur"), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        string onnx = Path.Combine(_dir, "out.onnx");

        var (code, _, error) = Recur("export", "--model", run, "--onnx", onnx);

        AssertOneLine(code, error, "not a readable model file");
        Assert.False(File.Exists(onnx));
    }

    [Fact]
    public void A_missing_folder_or_model_is_one_line_and_no_file()
    {
        var (run, _) = Run();
        string onnx = Path.Combine(_dir, "missing", "out.onnx");
        var (code, _, error) = Recur("export", "--model", run, "--onnx", onnx);
        AssertOneLine(code, error, "does not exist");
        Assert.False(Directory.Exists(Path.Combine(_dir, "missing")));

        (code, _, error) = Recur("export", "--model", Path.Combine(_dir, "nowhere"), "--onnx", Path.Combine(_dir, "x.onnx"));
        AssertOneLine(code, error, "no model.recur");
        Assert.Empty(Directory.GetFiles(_dir));
    }

    private static void AssertOneLine(int code, string error, string fragment)
    {
        Assert.True(code == 2, $"exit code {code}: {error}");
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(fragment, line);
        Assert.StartsWith("recur: ", line);
    }
}
