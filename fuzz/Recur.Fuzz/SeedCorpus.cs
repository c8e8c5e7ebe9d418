using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Recur.Losses;
using Recur.Optimizers;
using Recur.Serialization;

namespace Recur.Fuzzing;

/// <summary>
/// The seed corpus: small valid inputs of every reader (and a few near misses), from which the
/// fuzzer mutates. Written by <c>Recur.Fuzz seed fuzz/corpus</c> and committed.
/// </summary>
internal static class SeedCorpus
{
    public static void Write(string root)
    {
        void Put(string target, string name, byte[] bytes)
        {
            string dir = Path.Combine(root, target);
            Directory.CreateDirectory(dir);
            File.WriteAllBytes(Path.Combine(dir, name), bytes);
        }
        void Text(string target, string name, string text) => Put(target, name, Encoding.UTF8.GetBytes(text));

        // safetensors: the writer's F32 layout with metadata, an empty file, and F16/BF16/F64/I32 entries by hand.
        Put("safetensors", "f32", SafeTensorsWriter.ToBytes(new[]
        {
            KeyValuePair.Create("w", Tensor.FromArray(new float[] { 1, -2, 3.5f, 0 }, 2, 2)),
            KeyValuePair.Create("b", Tensor.FromArray(new float[] { 0.25f }, 1)),
        }, new Dictionary<string, string> { ["cell"] = "lstm" }));
        Put("safetensors", "empty", SafeTensorsWriter.ToBytes(Array.Empty<KeyValuePair<string, Tensor>>()));
        Put("safetensors", "dtypes", Manual(
            ("h", "F16", "[2]", new byte[] { 0x00, 0x3C, 0x00, 0xC0 }),
            ("bf", "BF16", "[1]", new byte[] { 0x80, 0x3F }),
            ("d", "F64", "[1]", BitConverter.GetBytes(2.5)),
            ("i", "I32", "[1]", BitConverter.GetBytes(7))));

        // .recur: the architecture target's model, once plain and once compiled with its optimizer state.
        var model = FuzzTargets.ArchitectureModel.Value;
        byte[] plain = Saved(model, includeOptimizer: false);
        Put("recur", "plain", plain);
        var compiled = new Models.Sequential(2, new Layers.Dense(3, name: "dense"), new Layers.Dense(1, name: "out"));
        compiled.Build(4);
        compiled.Compile(new Adam(1e-3f), Loss.MeanSquaredError(), metrics: null, clipNorm: 1f);
        compiled.TrainOnBatch(Tensor.Zeros(2, 4), Tensor.Zeros(2, 1));
        Put("recur", "compiled", Saved(compiled, includeOptimizer: true));

        // The architecture alone, as the plain file holds it.
        Text("architecture", "gru", SafeTensorsFile.Read(plain, "plain").Metadata["architecture"]);

        // .npy: little-endian f4 in C order, big-endian f8 in Fortran order, i1, a version 2.0 header.
        Put("npy", "f4", Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", Floats(1, 2, 3, 4, 5, 6), 1));
        Put("npy", "f8-fortran", Npy("{'descr': '>f8', 'fortran_order': True, 'shape': (2, 2), }", BigDoubles(1, 2, 3, 4), 1));
        Put("npy", "i1-scalar", Npy("{'descr': '|i1', 'fortran_order': False, 'shape': (), }", new byte[] { 0xFE }, 1));
        Put("npy", "v2", Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", Floats(9), 2));

        // .npz: Keras-style arr_0, arr_1 stored, and deflated.
        var arr0 = Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", Floats(1, 2, 3, 4, 5, 6), 1);
        var arr1 = Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", Floats(0.5f, -0.5f), 1);
        Put("npz", "stored", Zip(CompressionLevel.NoCompression, ("arr_0.npy", arr0), ("arr_1.npy", arr1)));
        Put("npz", "deflated", Zip(CompressionLevel.Optimal, ("arr_0.npy", arr0), ("arr_10.npy", arr1)));

        // CSV: a quoted series with a missing value and a category; labelled texts with quoting.
        Text("csv", "series", "\"month\",\"kind\",\"value\"\r\n\"m0\",summer,100.5\r\n\"m1\",winter,NA\r\n\"m2\",summer,102\r\n\"m3\",winter,1e3");
        Text("csv", "texts", "text,label\n\"a fine, quiet film\",pos\n\"bad \"\"fun\"\"\",neg\nplain words,pos\n");
        // TSV: labelled texts, one opening with a quote, numbers as labels.
        Text("tsv", "texts", "sentence\tlabel\n\" I love it.  \t1\nno wit , only gags\t0\nfine\t1\n");
        Text("tsv", "series", "t\ty\n1\t0.5\n2\t\n3\t1.5\n");

        // CoNLL-U: comments, a multiword token and an empty node.
        Text("conllu", "sentences",
            "# sent_id = 1\n# text = The cat's asleep.\n1\tThe\tthe\tDET\t_\t_\t2\tdet\t_\t_\n2-3\tcat's\t_\t_\t_\t_\t_\t_\t_\t_\n" +
            "2\tcat\tcat\tNOUN\t_\t_\t4\tnsubj\t_\t_\n3\t's\tbe\tAUX\t_\t_\t4\tcop\t_\t_\n4\tasleep\tasleep\tADJ\t_\t_\t0\troot\t_\t_\n" +
            "4.1\t_\t_\t_\t_\t_\t_\t_\t_\t_\n5\t.\t.\tPUNCT\t_\t_\t4\tpunct\t_\t_\n\n1\tGo\tgo\tVERB\t_\t_\t0\troot\t_\t_\n");

        // task.json of each task, fitting FuzzTargets.TaskModels.
        Text("task", "classify", "{\"task\": \"classify\", \"format\": 1, \"labels\": [\"neg\", \"pos\"], \"max_length\": 12, " +
                                 "\"tokenizer\": \"lowercase-words\", \"vocabulary\": [\"a\", \"small\", \"text\", \"film\"], \"model\": \"lstm 3\"}");
        Text("task", "tag", "{\"task\": \"tag\", \"format\": 1, \"labels\": [\"DET\", \"NOUN\", \"VERB\"], \"max_length\": 2147483647, " +
                            "\"vocabulary\": [\"the\", \"cat\", \"runs\"]}");
        Text("task", "charlm", "{\"task\": \"charlm\", \"format\": 1, \"alphabet\": \"\\nab!\", \"seq\": 10}");

        // WAV: 16 kHz mono, 8 kHz stereo with a LIST chunk before the data (odd-sized, padded), 44.1 kHz mono.
        Put("wav", "mono16k", Wav(16000, 1, Enumerable.Range(0, 800).Select(i => (short)(8000 * Math.Sin(i * 0.1))).ToArray()));
        Put("wav", "stereo8k-list", Wav(8000, 2, Enumerable.Range(0, 400).Select(i => (short)(i * 37 % 2000 - 1000)).ToArray(), "ISFTabc"u8.ToArray()));
        Put("wav", "mono44k", Wav(44100, 1, Enumerable.Range(0, 2205).Select(i => (short)(i % 100 * 300)).ToArray()));
    }

    /// <summary>A 16-bit PCM WAV file: RIFF/WAVE, "fmt " (16 bytes), an optional LIST chunk, "data".</summary>
    private static byte[] Wav(int rate, int channels, short[] samples, byte[]? list = null)
    {
        var body = new MemoryStream();
        void Chunk(string id, byte[] content)
        {
            body.Write(Encoding.ASCII.GetBytes(id));
            body.Write(BitConverter.GetBytes(content.Length));
            body.Write(content);
            if (content.Length % 2 == 1) body.WriteByte(0); // chunks are padded to an even size
        }
        var format = new byte[16];
        BinaryPrimitives.WriteUInt16LittleEndian(format, 1); // PCM
        BinaryPrimitives.WriteUInt16LittleEndian(format.AsSpan(2), (ushort)channels);
        BinaryPrimitives.WriteInt32LittleEndian(format.AsSpan(4), rate);
        BinaryPrimitives.WriteInt32LittleEndian(format.AsSpan(8), rate * channels * 2);
        BinaryPrimitives.WriteUInt16LittleEndian(format.AsSpan(12), (ushort)(channels * 2));
        BinaryPrimitives.WriteUInt16LittleEndian(format.AsSpan(14), 16);
        Chunk("fmt ", format);
        if (list is not null) Chunk("LIST", list);
        var data = new byte[samples.Length * 2];
        for (int i = 0; i < samples.Length; i++) BinaryPrimitives.WriteInt16LittleEndian(data.AsSpan(2 * i), samples[i]);
        Chunk("data", data);
        var file = new MemoryStream();
        file.Write("RIFF"u8);
        file.Write(BitConverter.GetBytes((int)(4 + body.Length)));
        file.Write("WAVE"u8);
        body.WriteTo(file);
        return file.ToArray();
    }

    private static byte[] Saved(Models.Model model, bool includeOptimizer)
    {
        string path = Path.Combine(Path.GetTempPath(), $"recur-seed-{Guid.NewGuid():N}.recur");
        try
        {
            model.Save(path, includeOptimizer);
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>A safetensors file from raw entries (name, dtype, shape, bytes), laid out in order.</summary>
    private static byte[] Manual(params (string Name, string Dtype, string Shape, byte[] Bytes)[] entries)
    {
        var header = new StringBuilder("{");
        long offset = 0;
        foreach (var (name, dtype, shape, bytes) in entries)
        {
            if (header.Length > 1) header.Append(',');
            header.Append($"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":[{offset},{offset + bytes.Length}]}}");
            offset += bytes.Length;
        }
        var json = Encoding.UTF8.GetBytes(header.Append('}').ToString());
        var file = new MemoryStream();
        var length = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)json.Length);
        file.Write(length);
        file.Write(json);
        foreach (var e in entries) file.Write(e.Bytes);
        return file.ToArray();
    }

    private static byte[] Npy(string header, byte[] data, byte major)
    {
        int prefix = major == 1 ? 10 : 12;
        string padded = header + new string(' ', 63 - (prefix + header.Length) % 64) + "\n";
        var text = Encoding.Latin1.GetBytes(padded);
        var npy = new byte[prefix + text.Length + data.Length];
        new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', major, 0 }.CopyTo(npy, 0);
        if (major == 1) BinaryPrimitives.WriteUInt16LittleEndian(npy.AsSpan(8), (ushort)text.Length);
        else BinaryPrimitives.WriteUInt32LittleEndian(npy.AsSpan(8), (uint)text.Length);
        text.CopyTo(npy, prefix);
        data.CopyTo(npy, prefix + text.Length);
        return npy;
    }

    private static byte[] Floats(params float[] values)
    {
        var bytes = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }

    private static byte[] BigDoubles(params double[] values)
    {
        var bytes = new byte[8 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteDoubleBigEndian(bytes.AsSpan(8 * i), values[i]);
        return bytes;
    }

    private static byte[] Zip(CompressionLevel level, params (string Name, byte[] Bytes)[] entries)
    {
        var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, bytes) in entries)
            {
                using var s = zip.CreateEntry(name, level).Open();
                s.Write(bytes);
            }
        return stream.ToArray();
    }
}
