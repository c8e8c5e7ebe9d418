using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Models;
using Recur.Serialization;

namespace Recur.Fuzzing;

/// <summary>
/// The hostile inputs of docs/RELIABILITY.md, written by <c>Recur.Fuzz hostile DIR</c> for
/// <c>fuzz/hostile.sh</c> to run the command line (and <see cref="Read"/>) on.
/// </summary>
internal static class HostileInputs
{
    public static void Write(string root)
    {
        Directory.CreateDirectory(root);
        string P(string name) => Path.Combine(root, name);
        void Text(string name, string text) => File.WriteAllText(P(name), text);

        // Memory sized from untrusted values.
        Bomb(P("bomb.npz"), 1L << 30);
        var classifier = Classifier();
        ModelDir(P("embedding-400m"), classifier, a => Config(a, 0)["input_dim"] = 400_000_000, null, Classify);
        var lstm = new Sequential(1, new Lstm(2, bidirectional: true, name: "lstm"));
        lstm.Build(-1, 3);
        ModelDir(P("lstm-2pow30"), lstm, a => Config(a, 0)["units"] = 1 << 30,
            list => list.Select(kv => KeyValuePair.Create(kv.Key, kv.Key.Contains("weight_ih") ? Tensor.Zeros(0, 3)
                : kv.Key.Contains("weight_hh") ? Tensor.Zeros(0, 1 << 30) : Tensor.Zeros(0))).ToList(), Classify);

        // Exceptions the file format's readers did not document.
        ModelDir(P("seed-beyond-ulong"), classifier, a => a["seed"] = "18446744073709551616", null, Classify);
        ModelDir(P("no-layers"), classifier, a => a["layers"] = new JsonArray(), _ => new(), Classify);
        ModelDir(P("free-feature-axis"), classifier, a => a["input_shape"] = new JsonArray(-1, -1), null, Classify);
        ModelDir(P("nan-weight"), classifier, null, list => list.Select(kv =>
        {
            if (!kv.Key.EndsWith(".bias", StringComparison.Ordinal)) return kv;
            var t = kv.Value.Clone();
            t.Span[0] = float.NaN;
            return KeyValuePair.Create(kv.Key, t);
        }).ToList(), Classify);
        File.WriteAllBytes(P("non-ascii-digit.safetensors"), SafeTensorsWriter.ToBytes(new[] { KeyValuePair.Create("lstm.weight_ih_l\u0663", Tensor.Zeros(8, 3)) }));
        File.WriteAllBytes(P("nan.npz"), Zip(("arr_0.npy", Npy("<f4", "(3, 2)", new float[] { 1, 2, float.NaN, 4, 5, 6 })), ("arr_1.npy", Npy("<f4", "(2,)", new float[] { 0, 0 }))));
        var crc = Zip(("arr_0.npy", Npy("<f4", "(3, 2)", new float[] { 1, 2, 3, 4, 5, 6 })), ("arr_1.npy", Npy("<f4", "(2,)", new float[] { 0, 0 })));
        crc[crc.AsSpan().IndexOf(BitConverter.GetBytes(6f)) + 3] ^= 1;
        File.WriteAllBytes(P("bad-crc.npz"), crc);

        // task.json beside a fitting model, each with one thing wrong.
        var good = JsonNode.Parse(Classify)!.AsObject();
        void Task(string name, Action<JsonObject> change, Model? model = null)
        {
            var task = good.DeepClone().AsObject();
            change(task);
            ModelDir(P(name), model ?? classifier, null, null, task.ToJsonString());
        }
        Task("task-number-for-string", t => t["labels"] = new JsonArray("neg", 7));
        ModelDir(P("task-duplicate-keys"), classifier, null, null, Classify.Replace("\"format\": 1", "\"format\": 1, \"labels\": [\"a\", \"b\"]"));
        Task("task-max-length-negative", t => t["max_length"] = -3);
        Task("task-more-labels", t => t["labels"] = new JsonArray("neg", "pos", "meh"));
        Task("task-larger-vocabulary", t => t["vocabulary"] = new JsonArray("good", "bad", "film", "plot"));
        var forecaster = new Sequential(1, new Lstm(4), new Dense(1));
        forecaster.Build(-1, 3);
        Task("task-forecast-model", _ => { }, forecaster);
        var charModel = new Sequential(1, new Embedding(4, 4), new Lstm(3, returnSequences: true), new Dense(4));
        charModel.Build(-1);
        ModelDir(P("charlm-repeated-letter"), charModel, null, null, "{\"task\": \"charlm\", \"format\": 1, \"alphabet\": \"abca\", \"seq\": 10}");
        ModelDir(P("charlm-longer-alphabet"), charModel, null, null, "{\"task\": \"charlm\", \"format\": 1, \"alphabet\": \"abcde\", \"seq\": 10}");

        // Data files.
        Text("quotes.csv", "month,value\n1,100\n2," + "1" + new string('"', 1_000_000) + "\n3,102\n");
        Text("huge-cell.csv", "month,value\n1,100\n2," + new string('x', 10_000_000) + "\n3,102\n");
        Text("near-max.csv", "month,value\n" + string.Concat(Enumerable.Range(1, 40).Select(i => $"{i},{(i == 20 ? "1.7e308" : (100 + i).ToString(System.Globalization.CultureInfo.InvariantCulture))}\n")));
        Text("categories.csv", "id,value\n" + string.Concat(Enumerable.Range(0, 3000).Select(i => $"c{i},{100 + i % 12}\n")));
        Text("labels-spelled.tsv", "text\tlabel\ngood\t1\nbad\t0\nfine\t1.0\nawful\t0\nsuperb\t01\n");
        Text("quote-first.tsv", "text\tlabel\n" + string.Concat(Enumerable.Range(0, 60).Select(i => (i % 7 == 0 ? "\" " : "") + (i % 2 == 0 ? "a good film" : "a bad film") + $" {i}\t{(i % 2 == 0 ? "pos" : "neg")}\n")));
        var latin1 = Encoding.UTF8.GetBytes("text\tlabel\ngood\tpos\n").Concat(new byte[] { (byte)'c', (byte)'a', (byte)'f', 0xE9, (byte)'\t', (byte)'p', (byte)'o', (byte)'s', (byte)'\n' }).ToArray();
        File.WriteAllBytes(P("latin1.tsv"), latin1);
        var words = new StringBuilder("text\tlabel\n");
        var random = new Random(1);
        for (int i = 0; i < 2_000_000; i++) words.Append(random.Next(50_000)).Append(' ');
        words.Append("\tpos\n");
        for (int i = 0; i < 40; i++) words.Append(i % 2 == 0 ? "a good film\tpos\n" : "a bad film\tneg\n");
        Text("two-million-words.tsv", words.ToString());
    }

    private const string Classify = "{\"task\": \"classify\", \"format\": 1, \"labels\": [\"neg\", \"pos\"], \"max_length\": 10, " +
                                    "\"tokenizer\": \"lowercase-words\", \"vocabulary\": [\"good\", \"bad\", \"film\"]}";

    private static Sequential Classifier()
    {
        var m = new Sequential(1, new Embedding(5, 4, maskZero: true, name: "embedding"), new Lstm(3, name: "lstm"), new Dense(2, name: "dense"));
        m.Build(-1);
        return m;
    }

    private static JsonObject Config(JsonObject architecture, int index) => (JsonObject)architecture["layers"]![index]!["config"]!;

    /// <summary>DIR/model.recur (the model, its architecture and tensors changed) and DIR/task.json.</summary>
    private static void ModelDir(string dir, Model model, Action<JsonObject>? architecture,
        Func<List<KeyValuePair<string, Tensor>>, List<KeyValuePair<string, Tensor>>>? tensors, string task)
    {
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, "model.recur");
        model.Save(path);
        var file = SafeTensorsFile.Read(path);
        var meta = file.Metadata.ToDictionary(kv => kv.Key, kv => kv.Value);
        var arch = JsonNode.Parse(meta["architecture"])!.AsObject();
        architecture?.Invoke(arch);
        meta["architecture"] = arch.ToJsonString();
        var list = file.Names.Select(n => KeyValuePair.Create(n, file.Get(n))).ToList();
        SafeTensorsWriter.Write(path, tensors?.Invoke(list) ?? list, meta);
        File.WriteAllText(Path.Combine(dir, "task.json"), task);
    }

    /// <summary>An .npz of one float32 entry of <paramref name="bytes"/> zeros, deflated (about 1 MB per GiB).</summary>
    private static void Bomb(string path, long bytes)
    {
        using var archive = File.Create(path);
        using var zip = new ZipArchive(archive, ZipArchiveMode.Create);
        using var entry = zip.CreateEntry("arr_0.npy", CompressionLevel.SmallestSize).Open();
        entry.Write(Npy("<f4", $"({bytes / 4},)", Array.Empty<float>()));
        var zeros = new byte[1 << 20];
        for (long written = 0; written < bytes; written += zeros.Length) entry.Write(zeros);
    }

    private static byte[] Npy(string descr, string shape, float[] values)
    {
        string header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        header += new string(' ', 63 - (10 + header.Length) % 64) + "\n";
        var npy = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)(header.Length & 0xFF), (byte)(header.Length >> 8) };
        npy.AddRange(Encoding.Latin1.GetBytes(header));
        foreach (float v in values) npy.AddRange(BitConverter.GetBytes(v));
        return npy.ToArray();
    }

    private static byte[] Zip(params (string Name, byte[] Bytes)[] entries)
    {
        var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, bytes) in entries)
            {
                using var s = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
                s.Write(bytes);
            }
        return stream.ToArray();
    }

    /// <summary>
    /// Reads <paramref name="path"/> with a library reader as a user would (kinds: safetensors,
    /// npz, recur, keras, pytorch): 0 when it loads, 2 and one line for its documented exception,
    /// 1 and the exception type otherwise.
    /// </summary>
    public static int Read(string kind, string path)
    {
        try
        {
            switch (kind)
            {
                case "safetensors": SafeTensorsFile.Read(path); break;
                case "npz": NpzFile.Read(path); break;
                case "recur": Model.Load(path); break;
                case "keras": new Sequential(new Dense(2, name: "dense")).ImportKeras(path, inputShape: [3]); break;
                case "pytorch": new Sequential(new Lstm(2, name: "lstm")).ImportPyTorch(path, inputShape: [-1, 3]); break;
                default: throw new ArgumentException($"unknown kind '{kind}'", nameof(kind));
            }
            Console.WriteLine($"{kind} {path}: loaded");
            return 0;
        }
        catch (Exception e) when (e is SafeTensorsFormatException or NpzFormatException or ModelFormatException or WeightImportException)
        {
            Console.Error.WriteLine($"{e.GetType().Name}: {e.Message.Split('\n')[0]}");
            return 2;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"unexpected {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }
}
