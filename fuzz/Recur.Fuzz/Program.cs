using Recur.Fuzzing;
using SharpFuzz;

// recur-fuzz TARGET           run TARGET under AFL++ (persistent mode, one process for many inputs)
// recur-fuzz replay TARGET F… run TARGET once on each file (what the tests do)
// recur-fuzz seed DIR         write the seed corpus, one folder per target
// recur-fuzz hostile DIR      write the hostile inputs fuzz/hostile.sh measures
// recur-fuzz read KIND PATH   read PATH with a library reader (exit 2: refused as documented)
switch (args)
{
    case ["seed", var dir]:
        SeedCorpus.Write(dir);
        return 0;
    case ["hostile", var dir]:
        HostileInputs.Write(dir);
        return 0;
    case ["read", var kind, var path]:
        return HostileInputs.Read(kind, path);
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
        Console.Error.WriteLine($"usage: Recur.Fuzz TARGET | replay TARGET FILE... | seed DIR | hostile DIR | read KIND PATH; targets: {string.Join(", ", FuzzTargets.All.Keys)}");
        return 2;
}
