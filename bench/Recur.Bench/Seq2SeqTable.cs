using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Recur.Data;
using Recur.Losses;
using Recur.Models;
using Recur.Models.Seq2Seq;
using Recur.Optimizers;

namespace Recur.Bench;

/// <summary>
/// Training-step time of <c>recur translate</c>'s encoder–decoder in several configurations, on
/// batches with the source and target lengths of the CMUdict training pairs (ids random: only the
/// lengths matter for the time). The cases run in turns, a slice of batches each per round, so
/// that on a shared machine every case sees the same load; the table gives the mean ms per batch
/// of each case's best round and its pairs per second, the CMUdict epoch (95,130 pairs) that makes.
/// </summary>
/// <remarks><c>seq2seq [rounds] [batches per round] [case]</c> (default 3 × 30, every case; a third
/// argument keeps the cases whose name contains it), from the repository root. Beside the time, the
/// managed bytes a step allocates and the collections per step (from the last round).</remarks>
internal static partial class Seq2SeqTable
{
    private sealed record Case(string Name, int Batch, int DecoderUnits, bool Buckets, bool InputFeeding = false, int EncoderUnits = 128, int EncoderLayers = 1);

    private static readonly Case[] Cases =
    [
        new("random batches 64, decoder 256", 64, 256, Buckets: false),
        new("buckets 64, decoder 256", 64, 256, Buckets: true),
        new("buckets 64, decoder 128", 64, 128, Buckets: true),
        new("buckets 128, decoder 256", 128, 256, Buckets: true),
        new("buckets 128, decoder 128", 128, 128, Buckets: true),
        new("buckets 64, decoder 256, input feeding", 64, 256, Buckets: true, InputFeeding: true),
        new("buckets 128, encoder 2 × 128, decoder 256", 128, 256, Buckets: true, EncoderLayers: 2),
        new("buckets 128, encoder 192, decoder 384", 128, 384, Buckets: true, EncoderUnits: 192),
        new("buckets 128, encoder 256, decoder 512", 128, 512, Buckets: true, EncoderUnits: 256),
    ];

    public static void Print(string[] args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
        int perRound = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30;
        var lengths = PairLengths("data/g2p_cmudict/cmudict-0.4.out");
        var runs = Cases.Where(c => args.Length < 3 || c.Name.Contains(args[2], StringComparison.Ordinal)).Select(c => new Run(c, lengths)).ToArray();
        foreach (var r in runs) r.Time(5); // warm-up (tiered compilation)
        for (int round = 0; round < rounds; round++)
            foreach (var r in runs) r.Best = Math.Min(r.Best, r.Time(perRound));
        Console.WriteLine($"| case | ms per batch (best of {rounds} × {perRound}) | pairs/s | s per CMUdict epoch | MB allocated per batch | gen-0 / gen-2 collections per batch | GC pause ms per batch |");
        Console.WriteLine("|---|---:|---:|---:|---:|---|---:|");
        foreach (var r in runs)
        {
            double pairsPerSecond = r.Case.Batch / (r.Best / 1000);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Case.Name} | {r.Best:F1} | {pairsPerSecond:F0} | {95_130 / pairsPerSecond:F0} | {r.AllocatedMB:F1} | {r.Gen0:F2} / {r.Gen2:F2} | {r.PauseMs:F2} |"));
        }
    }

    /// <summary>One case: its model and an endless cycle of its training batches.</summary>
    private sealed class Run
    {
        private readonly Sequential _model;
        private readonly List<Batch> _batches;
        private int _next;

        public Run(Case c, List<(int Source, int Target)> lengths)
        {
            Case = c;
            var random = new SeededRandom(1);
            var o = new EncoderDecoderOptions
            {
                SourceVocabulary = EncoderDecoder.FirstToken + 26, TargetVocabulary = EncoderDecoder.FirstToken + 40,
                SourceSteps = lengths.Max(l => l.Source), TargetSteps = lengths.Max(l => l.Target) + 1, Embedding = 64,
                EncoderUnits = c.EncoderUnits, EncoderLayers = c.EncoderLayers, DecoderUnits = c.DecoderUnits, Attention = Seq2SeqAttention.General, Dropout = 0.2f, InputFeeding = c.InputFeeding,
            };
            var sources = lengths.Select(l => Enumerable.Range(0, l.Source).Select(_ => EncoderDecoder.FirstToken + random.NextInt(26)).ToArray()).ToList();
            var targets = lengths.Select(l => Enumerable.Range(0, l.Target).Select(_ => EncoderDecoder.FirstToken + random.NextInt(40)).ToArray()).ToList();
            var (x, y) = EncoderDecoder.Pack(o, sources, targets);
            // Random batches: random keys, so that sorting a pool by key leaves its rows in random order.
            var keys = c.Buckets ? EncoderDecoder.LengthKeys(o, x) : lengths.Select(_ => random.NextInt(1 << 20)).ToArray();
            _batches = new LengthBuckets(x, y, keys, c.Batch, seed: 2).GetBatches(0).Take(400).ToList();
            _model = new Sequential(3, new EncoderDecoder(o)) { Output = TextWriter.Null };
            _model.Compile(new Adam(2e-3f), new LabelSmoothedCrossEntropy(0.1f), metrics: null, clipNorm: 5f);
            _model.Build(o.SourceSteps + o.TargetSteps);
        }

        public Case Case { get; }

        public double Best { get; set; } = double.PositiveInfinity;

        /// <summary>Managed MB allocated per step in the last <see cref="Time"/> (all threads).</summary>
        public double AllocatedMB { get; private set; }

        /// <summary>Gen-0 and gen-2 collections per step in the last <see cref="Time"/>.</summary>
        public double Gen0 { get; private set; }

        /// <inheritdoc cref="Gen0"/>
        public double Gen2 { get; private set; }

        /// <summary>Milliseconds per step the runtime was paused for collections in the last <see cref="Time"/>.</summary>
        public double PauseMs { get; private set; }

        /// <summary>Mean ms of the next <paramref name="batches"/> training steps.</summary>
        public double Time(int batches)
        {
            long bytes = GC.GetTotalAllocatedBytes(precise: true);
            int gen0 = GC.CollectionCount(0), gen2 = GC.CollectionCount(2);
            var paused = GC.GetTotalPauseDuration();
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < batches; i++)
            {
                var b = _batches[_next++ % _batches.Count];
                _model.TrainOnBatch(b.X, b.Y);
            }
            double ms = clock.Elapsed.TotalMilliseconds / batches;
            AllocatedMB = (GC.GetTotalAllocatedBytes(precise: true) - bytes) / 1e6 / batches;
            Gen0 = (double)(GC.CollectionCount(0) - gen0) / batches;
            Gen2 = (double)(GC.CollectionCount(2) - gen2) / batches;
            PauseMs = (GC.GetTotalPauseDuration() - paused).TotalMilliseconds / batches;
            return ms;
        }
    }

    /// <summary>(letters, phonemes) of every pronunciation of a word of a–z in the Festival-format lexicon.</summary>
    private static List<(int Source, int Target)> PairLengths(string path)
    {
        var pairs = new List<(int, int)>();
        foreach (var line in File.ReadLines(path))
        {
            var m = Entry().Match(line);
            if (m.Success) pairs.Add((m.Groups[1].Value.Length, Phone().Count(m.Groups[2].Value)));
        }
        return pairs;
    }

    [GeneratedRegex(@"^\(""([a-z]+)"" \S+ \((.*)\)\)\s*$")]
    private static partial Regex Entry();

    [GeneratedRegex(@"[a-z]+")]
    private static partial Regex Phone();
}
