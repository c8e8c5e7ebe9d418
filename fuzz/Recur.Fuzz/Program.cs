using Recur.Fuzzing;
using SharpFuzz;

// recur-fuzz TARGET           run TARGET under AFL++ (persistent mode, one process for many inputs)
// recur-fuzz replay TARGET F… run TARGET once on each file (what the tests do)
// recur-fuzz seed DIR         write the seed corpus, one folder per target
switch (args)
{
    case ["seed", var dir]:
        SeedCorpus.Write(dir);
        return 0;
    case ["replay", var target, .. var files]:
        foreach (var file in files)
        {
            bool accepted = FuzzTargets.Run(target, File.ReadAllBytes(file));
            Console.WriteLine($"{file}: {(accepted ? "accepted" : "refused")}");
        }
        return 0;
    case [var target] when FuzzTargets.All.ContainsKey(target):
        Fuzzer.Run(stream =>
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            FuzzTargets.Run(target, copy.ToArray());
        });
        return 0;
    default:
        Console.Error.WriteLine($"usage: Recur.Fuzz TARGET | replay TARGET FILE... | seed DIR; targets: {string.Join(", ", FuzzTargets.All.Keys)}");
        return 2;
}
