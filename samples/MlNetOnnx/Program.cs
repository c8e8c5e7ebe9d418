// Scores texts with a sentiment model trained by `recur classify` and exported by `recur export`,
// inside an ML.NET pipeline: tokenize → ids (a CustomMapping) → ApplyOnnxModel → softmax.
// ML.NET has no LSTM trainer; the model comes from Recur as an ONNX file and nothing here
// references Recur. The vocabulary, the labels and the length limit travel in the file's metadata.
// (Without --no-states the file also has the optional state inputs {layer}.h0 …, which ONNX
// Runtime notes at load time as initializers it will not fold; scoring is the same.)
//
//   dotnet run -c Release --project src/Recur.Cli -- classify --out runs/sst2
//   dotnet run -c Release --project src/Recur.Cli -- export --model runs/sst2 --onnx sentiment.onnx --no-states
//   dotnet run -c Release --project samples/MlNetOnnx -- sentiment.onnx "a gripping, beautifully acted film"
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using MlNetOnnx;

if (args.Length < 1)
{
    Console.Error.WriteLine("usage: MlNetOnnx MODEL.onnx [TEXT ...]   (a model from 'recur classify', exported with 'recur export')");
    return 2;
}
string modelFile = args[0];
string[] texts = args.Length > 1 ? args[1..] :
[
    "a gripping , beautifully acted film .",
    "the plot is thin and the jokes fall flat .",
    "not bad at all",
];

// The metadata recur export writes from task.json.
Dictionary<string, string> meta;
using (var quiet = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR })
using (var session = new InferenceSession(modelFile, quiet))
    meta = session.ModelMetadata.CustomMetadataMap;
if (!meta.TryGetValue("task", out var task) || task != "classify")
{
    Console.Error.WriteLine($"{modelFile}: not a model from 'recur classify' (task: {task ?? "none"}).");
    return 2;
}
var encoder = new Encoder(
    JsonSerializer.Deserialize<string[]>(meta["vocabulary"])!,
    int.Parse(meta["max_length"], System.Globalization.CultureInfo.InvariantCulture));
string[] labels = JsonSerializer.Deserialize<string[]>(meta["labels"])!;

var ml = new MLContext();
// The ids column has a fixed width (max_length, zeros after the text: the model masks id 0), so
// ONNX Runtime sees (1, max_length) for its (batch, time) input.
var idsSchema = SchemaDefinition.Create(typeof(TokenIds));
idsSchema["input"].ColumnType = new VectorDataViewType(NumberDataViewType.Int64, encoder.MaxLength);
var pipeline = ml.Transforms.CustomMapping<Review, TokenIds>((review, ids) => ids.Input = encoder.Encode(review.Text),
        contractName: null, outputSchemaDefinition: idsSchema)
    .Append(ml.Transforms.ApplyOnnxModel(
        outputColumnNames: ["output"], inputColumnNames: ["input"], modelFile: modelFile,
        shapeDictionary: new Dictionary<string, int[]> { ["input"] = [1, encoder.MaxLength] },
        gpuDeviceId: null, fallbackToCpu: false, recursionLimit: 100));

var data = ml.Data.LoadFromEnumerable(texts.Select(t => new Review { Text = t }));
var model = pipeline.Fit(data); // nothing is trained: the pipeline only maps and scores
var scored = ml.Data.CreateEnumerable<Scores>(model.Transform(data), reuseRowObject: false).ToList();
for (int i = 0; i < texts.Length; i++)
{
    var p = Softmax(scored[i].Output);
    int best = Array.IndexOf(p, p.Max());
    Console.WriteLine($"{labels[best]}\t{p[best]:0.0000}\t{texts[i]}");
}
return 0;

static float[] Softmax(float[] logits)
{
    float max = logits.Max();
    var e = logits.Select(z => MathF.Exp(z - max)).ToArray();
    float sum = e.Sum();
    return e.Select(v => v / sum).ToArray();
}

namespace MlNetOnnx
{
    /// <summary>A row of input text.</summary>
    public sealed class Review
    {
        public string Text { get; set; } = "";
    }

    /// <summary>The ids fed to the ONNX model's input "input".</summary>
    public sealed class TokenIds
    {
        [ColumnName("input")]
        public long[] Input { get; set; } = [];
    }

    /// <summary>The ONNX model's output "output": one logit per label.</summary>
    public sealed class Scores
    {
        [ColumnName("output")]
        public float[] Output { get; set; } = [];
    }
}
