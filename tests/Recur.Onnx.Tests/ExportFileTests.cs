using Microsoft.ML.OnnxRuntime;
using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Models;

namespace Recur.Onnx.Tests;

/// <summary>The file: opset, dynamic axes, metadata, atomic writes, and the errors before anything is written.</summary>
public sealed class ExportFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recur-onnx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Sequential Sentiment()
    {
        var model = new Sequential(seed: 1, new Embedding(20, 4, maskZero: true), new Lstm(3), new Dense(1));
        model.Build(-1);
        return model;
    }

    [Fact]
    public void File_has_opset_17_dynamic_batch_and_time_doc_and_metadata()
    {
        string path = Path.Combine(_dir, "m.onnx");
        var metadata = new Dictionary<string, string> { ["task"] = "classify", ["vocabulary"] = "[\"<pad>\",\"<unk>\",\"good\"]" };
        Sentiment().ExportOnnx(path, new OnnxExportOptions { Metadata = metadata, Description = "SST-2 sentiment" });

        var proto = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        Assert.Equal(17, proto.OpsetImport.Single(o => o.Domain == "").Version);
        var input = proto.Graph.Input.Single(i => i.Name == "input").Type.TensorType;
        Assert.Equal((int)OnnxElementType.Int64, input.ElemType);
        Assert.Equal(["batch", "time"], input.Shape.Dim.Select(d => d.DimParam));
        Assert.StartsWith("SST-2 sentiment", proto.DocString);

        using var session = new InferenceSession(path);
        Assert.Equal("Recur", session.ModelMetadata.ProducerName);
        Assert.Equal("classify", session.ModelMetadata.CustomMetadataMap["task"]);
        Assert.Equal(metadata["vocabulary"], session.ModelMetadata.CustomMetadataMap["vocabulary"]);
        Assert.Equal(["input"], session.InputMetadata.Keys); // states are optional: initializers, not required inputs
        Assert.Equal(["output", "lstm.h_n", "lstm.c_n"], session.OutputMetadata.Keys);
        Assert.Empty(Directory.GetFiles(_dir, ".*.tmp"));
    }

    [Fact]
    public void Unexportable_layer_is_named_and_nothing_is_written()
    {
        string path = Path.Combine(_dir, "m.onnx");
        File.WriteAllText(path, "earlier");
        var model = new Sequential(seed: 2, new Lstm(3, returnSequences: true), new Unregistered("odd_one"), new Dense(1));
        model.Build(-1, 2);

        var e = Assert.Throws<OnnxExportException>(() => model.ExportOnnx(path));

        Assert.Contains("'odd_one'", e.Message);
        Assert.Contains(nameof(Unregistered), e.Message);
        Assert.Equal("earlier", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void Missing_folder_and_unbuilt_model_are_refused_before_writing()
    {
        string missing = Path.Combine(_dir, "no", "m.onnx");
        var e = Assert.Throws<DirectoryNotFoundException>(() => Sentiment().ExportOnnx(missing));
        Assert.Contains(Path.Combine(_dir, "no"), e.Message);

        var unbuilt = new Sequential(new Lstm(3));
        Assert.Contains("not built", Assert.Throws<OnnxExportException>(() => unbuilt.ToOnnx()).Message);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void A_registered_exporter_makes_a_layer_of_ones_own_exportable()
    {
        OnnxLayerExporters.Register<Doubling>((layer, ctx) =>
            ctx.Pass(ctx.Input.With(ctx.Graph.Node("Mul", [ctx.Input.Name, ctx.Graph.Scalar(2f)], layer.Name), ctx.Input.Shape)));
        var model = new Sequential(seed: 3, new Gru(4, returnSequences: true), new Doubling(), new Dense(2));
        var x = TestData.Sequences(3, 5, 2, null, 4);

        OnnxRuntimeRun.AssertClose(model.Predict(x), OnnxRuntimeRun.Output(model, x, ids: false), "custom layer");
        Assert.True(OnnxLayerExporters.IsRegistered(typeof(Doubling)));
        Assert.False(OnnxLayerExporters.IsRegistered(typeof(Unregistered)));
    }

    [Fact]
    public void Without_states_the_graph_has_one_input_and_one_output()
    {
        using var session = OnnxRuntimeRun.Session(Sentiment().ToOnnx(new OnnxExportOptions { States = false, InputName = "ids", OutputName = "logits" }));
        Assert.Equal(["ids"], session.InputMetadata.Keys);
        Assert.Equal(["logits"], session.OutputMetadata.Keys);
        Assert.Empty(session.OverridableInitializerMetadata);
    }

    /// <summary>y = 2x: a layer written outside the library.</summary>
    private sealed class Doubling() : Layer(null)
    {
        public override int[] ComputeOutputShape(int[] inputShape) => inputShape;

        public override Tensor Forward(Tensor input, SequenceMask? mask = null, bool training = false)
        {
            var y = input.Clone();
            for (int i = 0; i < y.Length; i++) y.Span[i] *= 2f;
            return y;
        }

        public override Tensor Backward(Tensor gradOutput) => throw new NotSupportedException();
    }

    /// <summary>A layer nobody registered an exporter for.</summary>
    private sealed class Unregistered(string name) : Layer(name)
    {
        public override int[] ComputeOutputShape(int[] inputShape) => inputShape;

        public override Tensor Forward(Tensor input, SequenceMask? mask = null, bool training = false) => input.Clone();

        public override Tensor Backward(Tensor gradOutput) => gradOutput;
    }
}
