using Recur.Layers;
using Recur.Layers.Recurrent;

namespace Recur.Tests.Layers.Recurrent;

/// <summary>
/// Padding costs no cell work: at each step the rows after a row block's last real row are not
/// stepped, and a batch that is mostly padding projects only its real steps' inputs. Each row of
/// a padded batch must still get, bit for bit, what it gets alone — in every order of the rows'
/// lengths (longest first, the order <c>recur serve</c> batches in, shortest first, mixed) and
/// through stacked bidirectional layers, whose backward direction starts at each row's last real step.
/// </summary>
public class PaddedRowsTests
{
    private const int B = 21, T = 11, I = 4, H = 9;

    public static IEnumerable<object[]> Cases() =>
        from cell in RecurrentFactory.Cells
        from order in new[] { "longest_first", "shortest_first", "mixed", "nearly_full" }
        select new object[] { cell, order };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_row_of_a_padded_batch_is_what_it_is_alone(string cell, string order)
    {
        int[] lengths = Lengths(order);
        var layer = RecurrentFactory.Create(cell, H, new RecurrentOptions
        {
            NumLayers = 2, Bidirectional = true, ReturnSequences = true, Initialization = RecurrentInit.PyTorch,
        });
        layer.Build(new[] { T, I }, new SeededRandom(5));
        var random = new SeededRandom(8);
        var x = Tensor.Zeros(B, T, I);
        for (int i = 0; i < x.Length; i++) x.Span[i] = random.Normal(); // the padding holds values too: they must not matter
        var batch = layer.Infer(x, null, null, SequenceMask.FromLengths(lengths, T));
        int W = layer.OutputWidth, LD = 4;

        for (int b = 0; b < B; b++)
        {
            var output = batch.Output.Span.Slice(b * T * W, T * W);
            if (lengths[b] == 0)
            {
                Assert.True(output.ToArray().All(v => v == 0f), $"row {b} (no real step): the output is not zero");
                for (int k = 0; k < LD; k++) Assert.True(batch.HiddenState.Span.Slice((k * B + b) * H, H).ToArray().All(v => v == 0f), $"row {b}: h_n[{k}] is not h0");
                continue;
            }
            var row = Tensor.FromArray(x.Span.Slice(b * T * I, lengths[b] * I), 1, lengths[b], I);
            var alone = layer.Infer(row, null, null, null);
            Assert.True(output[..(lengths[b] * W)].SequenceEqual(alone.Output.Span), $"row {b} (length {lengths[b]}): the outputs differ from the row alone");
            Assert.True(output[(lengths[b] * W)..].ToArray().All(v => v == 0f), $"row {b}: the output past its length is not zero");
            for (int k = 0; k < LD; k++)
            {
                Assert.True(batch.HiddenState.Span.Slice((k * B + b) * H, H).SequenceEqual(alone.HiddenState.Span.Slice(k * H, H)), $"row {b}: h_n[{k}] differs");
                if (batch.CellState is { } c)
                    Assert.True(c.Span.Slice((k * B + b) * H, H).SequenceEqual(alone.CellState!.Span.Slice(k * H, H)), $"row {b}: c_n[{k}] differs");
            }
        }
    }

    /// <summary>
    /// Lengths 0 to T, one row without a real step: in decreasing or increasing order, mixed, or
    /// every row full but three (mostly real steps: the input projection runs on every row).
    /// </summary>
    private static int[] Lengths(string order)
    {
        var mixed = Enumerable.Range(0, B).Select(b => (b * 7 + 3) % (T + 1)).ToArray();
        return order switch
        {
            "longest_first" => mixed.OrderByDescending(l => l).ToArray(),
            "shortest_first" => mixed.Order().ToArray(),
            "mixed" => mixed,
            "nearly_full" => Enumerable.Range(0, B).Select(b => b switch { 2 => 0, 9 => 5, 16 => 10, _ => T }).ToArray(),
            _ => throw new ArgumentOutOfRangeException(nameof(order), order, "unknown order"),
        };
    }
}
