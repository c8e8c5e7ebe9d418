using Recur.Fuzzing;

namespace Recur.Tests.Fuzz;

/// <summary>
/// The fuzzers' inputs replayed through the same targets AFL++ runs: every seed is accepted by its
/// reader, and every input the fuzzer ever flagged (<c>fuzz/findings/TARGET/</c>) now ends in
/// acceptance or the reader's documented exception.
/// </summary>
public class FuzzReplayTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "fuzz");

    private static IEnumerable<object[]> Files(string kind)
    {
        string dir = Path.Combine(Root, kind);
        if (!Directory.Exists(dir)) yield break;
        foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string relative = Path.GetRelativePath(dir, file);
            yield return new object[] { relative.Split(Path.DirectorySeparatorChar)[0], relative };
        }
    }

    public static IEnumerable<object[]> Seeds() => Files("corpus");

    [Fact]
    public void Every_target_has_seeds()
    {
        var seeded = Seeds().Select(s => (string)s[0]).Distinct().Order();
        Assert.Equal(FuzzTargets.All.Keys.Order(), seeded);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void A_seed_is_accepted(string target, string file)
        => Assert.True(FuzzTargets.Run(target, File.ReadAllBytes(Path.Combine(Root, "corpus", file))), $"{file} was refused by its reader");

    /// <summary>Each finding in turn (a theory row per file would fail on a folder with none).</summary>
    [Fact]
    public void Every_finding_ends_in_a_documented_outcome()
    {
        foreach (var row in Files("findings"))
        {
            string target = (string)row[0], file = (string)row[1];
            Assert.Contains(target, FuzzTargets.All.Keys);
            try
            {
                FuzzTargets.Run(target, File.ReadAllBytes(Path.Combine(Root, "findings", file)));
            }
            catch (Exception e)
            {
                Assert.Fail($"fuzz/findings/{file}: {e.GetType().Name}: {e.Message}");
            }
        }
    }
}
