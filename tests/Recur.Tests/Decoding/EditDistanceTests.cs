using Recur.Decoding;

namespace Recur.Tests.Decoding;

public class EditDistanceTests
{
    [Theory]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("flaw", "lawn", 2)]
    [InlineData("", "", 0)]
    [InlineData("", "abc", 3)]
    [InlineData("abc", "", 3)]
    [InlineData("abc", "abc", 0)]
    [InlineData("abc", "cba", 2)]
    [InlineData("a", "b", 1)]
    [InlineData("intention", "execution", 5)]
    public void Known_distances(string a, string b, int expected)
    {
        Assert.Equal(expected, EditDistance.Levenshtein<char>(a, b));
        Assert.Equal(expected, EditDistance.Levenshtein<char>(b, a));
    }

    /// <summary>The textbook full (|a|+1)×(|b|+1) table, the oracle for the one-row version.</summary>
    private static int FullTable(int[] a, int[] b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }

    [Fact]
    public void Equals_the_full_table_on_random_sequences_including_long_ones()
    {
        var r = new SeededRandom(5);
        for (int n = 0; n < 300; n++)
        {
            // Lengths up to 300 cross the stack/heap row threshold (256).
            int la = n < 290 ? r.NextInt(12) : 250 + r.NextInt(50), lb = n < 290 ? r.NextInt(12) : 250 + r.NextInt(50);
            var a = Enumerable.Range(0, la).Select(_ => r.NextInt(4)).ToArray();
            var b = Enumerable.Range(0, lb).Select(_ => r.NextInt(4)).ToArray();
            Assert.Equal(FullTable(a, b), EditDistance.Levenshtein<int>(a, b));
        }
    }

    [Fact]
    public void Error_rate_sums_distances_over_reference_lengths()
    {
        var refs = new[] { "a b c".Split(' '), "d e".Split(' ') };
        var hyps = new[] { "a x c".Split(' '), "d e f".Split(' ') };
        Assert.Equal(2.0 / 5, EditDistance.ErrorRate<string>(refs, hyps), 12);
        Assert.Throws<ArgumentException>("hypotheses", () => EditDistance.ErrorRate<string>(refs, hyps[..1]));
        Assert.Throws<ArgumentException>("references", () => EditDistance.ErrorRate<string>(new[] { Array.Empty<string>() }, new[] { Array.Empty<string>() }));
    }

    [Fact]
    public void Closest_reference_picks_the_smallest_distance_and_its_length()
    {
        var refs = new[] { "t ah m ey t ow".Split(' '), "t ah m aa t ow".Split(' ') };
        Assert.Equal((0, 6), EditDistance.Closest<string>(refs, "t ah m aa t ow".Split(' ')));
        Assert.Equal((1, 6), EditDistance.Closest<string>(refs, "t ah m aa t".Split(' ')));
        // Tie at distance 1: the shorter reference counts.
        Assert.Equal((1, 1), EditDistance.Closest<string>(new[] { new[] { "a", "b", "c" }, new[] { "a" } }, new[] { "a", "b" }));
        Assert.Throws<ArgumentException>("references", () => EditDistance.Closest<string>(Array.Empty<string[]>(), new[] { "a" }));
    }
}
