using Recur.Data;
using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Training;

namespace Recur.Tests.Data;

public class TokenStreamTests
{
    private static readonly int[] Tokens = Enumerable.Range(0, 103).Select(i => (i * 7 + i / 5) % 11).ToArray();

    [Fact]
    public void Each_row_reads_its_own_contiguous_track_chunk_by_chunk()
    {
        var stream = new TokenStream(Tokens, rows: 4, steps: 6); // 25 predictions per track: 4 chunks of 6
        Assert.Equal(25, stream.TrackLength);
        Assert.Equal(4, stream.Count);
        var batches = stream.GetBatches(0).ToList();
        Assert.Equal(4, batches.Count);
        Assert.Equal(new[] { true, false, false, false }, batches.Select(b => b.ResetStates));
        for (int c = 0; c < 4; c++)
            for (int b = 0; b < 4; b++)
                for (int t = 0; t < 6; t++)
                {
                    int i = b * 25 + c * 6 + t;
                    Assert.Equal(Tokens[i], batches[c].X[b, t]);
                    Assert.Equal(Tokens[i + 1], batches[c].Y[b, t]);
                }
        var all = new TokenStream(Tokens, rows: 4, steps: 6, dropRemainder: false).GetBatches(0).ToList();
        Assert.Equal(5, all.Count);
        Assert.Equal(1, all[^1].X.Size(1)); // the 25th prediction of each track
    }

    [Fact]
    public void A_stream_too_short_for_one_chunk_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new TokenStream(Tokens, rows: 20, steps: 6));
        Assert.Contains("103 tokens", e.Message);
    }

    private static Sequential LanguageModel()
    {
        var m = new Sequential(3, new Embedding(11, 4), new Lstm(6, returnSequences: true), new Dense(11)) { Output = TextWriter.Null };
        m.Compile(new Adam(1e-2f), Loss.SparseCategoricalCrossEntropy(fromLogits: true));
        m.Build(-1);
        m.Stateful = true;
        return m;
    }

    [Fact]
    public void Fit_carries_the_state_between_chunks_and_resets_it_at_each_pass_with_steps_per_epoch_continuing_the_stream()
    {
        var stream = new TokenStream(Tokens, rows: 4, steps: 6);
        var fitted = LanguageModel();
        // 3 epochs of 3 batches = 9 batches: pass 0 (4 chunks), pass 1 (4), the first chunk of pass 2.
        var history = fitted.Fit(stream, epochs: 3, stepsPerEpoch: 3, verbose: Verbosity.Silent);

        var manual = LanguageModel();
        int done = 0;
        for (int pass = 0; done < 9; pass++)
            foreach (var b in stream.GetBatches(pass))
            {
                if (done++ == 9) break;
                if (b.ResetStates) manual.ResetStates();
                manual.TrainOnBatch(b.X, b.Y);
            }
        Assert.Equal(manual.Parameters.SelectMany(p => p.Value.ToArray()), fitted.Parameters.SelectMany(p => p.Value.ToArray()));
        Assert.Equal(3, history.Epochs);
    }

    [Fact]
    public void Without_the_reset_flag_the_carried_state_would_differ()
    {
        // The check above must be able to fail: a run that never resets ends elsewhere.
        var stream = new TokenStream(Tokens, rows: 4, steps: 6);
        var reset = LanguageModel();
        reset.Fit(stream, epochs: 2, verbose: Verbosity.Silent);
        var never = LanguageModel();
        for (int pass = 0; pass < 2; pass++)
            foreach (var b in stream.GetBatches(pass)) never.TrainOnBatch(b.X, b.Y);
        Assert.NotEqual(never.Parameters.SelectMany(p => p.Value.ToArray()), reset.Parameters.SelectMany(p => p.Value.ToArray()));
    }
}
