using System.Diagnostics;
using Recur.Cli.Common;
using Recur.Cli.Output;

namespace Recur.Tests.Cli;

/// <summary>A run directory never deletes a file it did not write.</summary>
public class RunDirectoryTests
{
    private static void Finish(RunDirectory run, string content = "new")
    {
        File.WriteAllText(run.File("model.recur"), content);
        File.WriteAllText(run.File(RunDirectory.MetricsFile), "{}");
        run.Complete();
    }

    [Fact]
    public void A_directory_with_metrics_json_and_user_files_is_refused_and_kept()
    {
        using var dir = new TempDir();
        string target = dir.File("results");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "metrics.json"), "{}");
        File.WriteAllText(Path.Combine(target, "thesis.tex"), "mine");

        var e = Assert.Throws<InputException>(() => RunDirectory.Create(target, "classify"));

        Assert.Contains("not an earlier recur run", e.Message);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(target, "thesis.tex")));
        Assert.False(Directory.Exists(target + ".partial"));
    }

    [Fact]
    public void A_resume_after_a_kill_while_the_manifest_was_written_starts_in_the_staging_directory()
    {
        using var dir = new TempDir();
        string target = dir.File("run");
        Directory.CreateDirectory(target + ".partial");
        // What a kill between writing the manifest's header and moving it into place leaves.
        File.WriteAllText(Path.Combine(target + ".partial", $".{RunDirectory.ManifestFile}.4242.tmp"), "recur-run");

        var run = RunDirectory.Create(target, "classify", resume: true);

        Assert.True(run.Resumed);
        Assert.Equal([RunDirectory.ManifestFile], Directory.EnumerateFileSystemEntries(run.WorkPath).Select(Path.GetFileName));
        Finish(run);
        Assert.Equal("new", File.ReadAllText(Path.Combine(target, "model.recur")));
    }

    [Fact]
    public void A_resume_keeps_refusing_a_staging_directory_with_a_foreign_file()
    {
        using var dir = new TempDir();
        string target = dir.File("run");
        Directory.CreateDirectory(target + ".partial");
        File.WriteAllText(Path.Combine(target + ".partial", $".{RunDirectory.ManifestFile}.4242.tmp"), "recur-run");
        File.WriteAllText(Path.Combine(target + ".partial", "notes.txt"), "mine");

        var e = Assert.Throws<InputException>(() => RunDirectory.Create(target, "classify", resume: true));

        Assert.Contains("not started by recur", e.Message);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(target + ".partial", "notes.txt")));
    }

    [Fact]
    public void A_rerun_replaces_the_files_of_an_earlier_run()
    {
        using var dir = new TempDir();
        string target = dir.File("run");
        var first = RunDirectory.Create(target, "classify");
        File.WriteAllText(first.File("loss.svg"), "old plot");
        Finish(first, "old");

        Finish(RunDirectory.Create(target, "classify"));

        Assert.Equal("new", File.ReadAllText(Path.Combine(target, "model.recur")));
        Assert.False(File.Exists(Path.Combine(target, "loss.svg")), "the earlier run's files are gone");
        Assert.Equal(new[] { "run" }, Directory.EnumerateFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void An_earlier_run_with_a_file_the_user_added_is_refused()
    {
        using var dir = new TempDir();
        string target = dir.File("run");
        Finish(RunDirectory.Create(target, "tag"), "old");
        File.WriteAllText(Path.Combine(target, "notes.txt"), "mine");

        var e = Assert.Throws<InputException>(() => RunDirectory.Create(target, "tag"));

        Assert.Contains("'notes.txt'", e.Message);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(target, "notes.txt")));
        Assert.Equal("old", File.ReadAllText(Path.Combine(target, "model.recur")));
    }

    [Fact]
    public void A_file_added_to_the_earlier_run_during_training_is_moved_aside_not_deleted()
    {
        using var dir = new TempDir();
        string target = dir.File("run");
        Finish(RunDirectory.Create(target, "tag"), "old");
        var second = RunDirectory.Create(target, "tag");
        File.WriteAllText(Path.Combine(target, "notes.txt"), "mine");

        Finish(second);

        Assert.Equal("new", File.ReadAllText(Path.Combine(target, "model.recur")));
        var aside = Assert.Single(Directory.GetDirectories(dir.Path, "run.replaced-*"));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(aside, "notes.txt")));
        Assert.Equal("old", File.ReadAllText(Path.Combine(aside, "model.recur")));
    }

    [Fact]
    public void A_partial_directory_recur_did_not_start_is_refused_and_kept()
    {
        using var dir = new TempDir();
        string target = dir.File("run");
        Directory.CreateDirectory(target + ".partial");
        File.WriteAllText(Path.Combine(target + ".partial", "data.csv"), "mine");

        var e = Assert.Throws<InputException>(() => RunDirectory.Create(target, "forecast"));

        Assert.Contains("run.partial exists and was not started by recur", e.Message);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(target + ".partial", "data.csv")));
    }

    [Fact]
    public void A_partial_directory_of_a_live_run_is_refused()
    {
        using var dir = new TempDir();
        string target = dir.File("run");
        var first = RunDirectory.Create(target, "forecast");
        File.WriteAllText(first.File("history.csv"), "epoch\n");

        var e = Assert.Throws<InputException>(() => RunDirectory.Create(target, "forecast"));

        Assert.Contains($"process {Environment.ProcessId}", e.Message);
        Assert.Equal("epoch\n", File.ReadAllText(Path.Combine(target + ".partial", "history.csv")));
    }

    [Fact]
    public void A_leftover_of_an_ended_run_is_cleared_but_user_files_in_it_stop_the_run()
    {
        using var dir = new TempDir();
        string target = dir.File("run"), partial = target + ".partial";
        Directory.CreateDirectory(partial);
        int deadPid = EndedProcessId();
        File.WriteAllText(Path.Combine(partial, RunDirectory.ManifestFile), $"recur-run 1\n{deadPid} 0\nhistory.csv\n");
        File.WriteAllText(Path.Combine(partial, "history.csv"), "epoch\n");
        File.WriteAllText(Path.Combine(partial, ".history.csv.0123.tmp"), "epo");
        File.WriteAllText(Path.Combine(partial, "mine.txt"), "mine");

        Assert.Throws<InputException>(() => RunDirectory.Create(target, "classify"));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(partial, "mine.txt")));
        Assert.True(File.Exists(Path.Combine(partial, "history.csv")), "nothing is deleted when anything foreign is there");

        File.Delete(Path.Combine(partial, "mine.txt"));
        var run = RunDirectory.Create(target, "classify");
        Assert.Equal(new[] { RunDirectory.ManifestFile }, Directory.EnumerateFileSystemEntries(run.WorkPath).Select(Path.GetFileName));
    }

    [Fact]
    public void A_torn_last_manifest_line_names_nothing()
    {
        using var dir = new TempDir();
        string target = dir.File("run"), partial = target + ".partial";
        Directory.CreateDirectory(partial);
        File.WriteAllText(Path.Combine(partial, RunDirectory.ManifestFile), $"recur-run 1\n{EndedProcessId()} 0\nmodel.recur\nnot");
        File.WriteAllText(Path.Combine(partial, "not"), "mine");

        Assert.Throws<InputException>(() => RunDirectory.Create(target, "classify"));
        Assert.True(File.Exists(Path.Combine(partial, "not")));
    }

    [Fact]
    public void The_working_directory_and_its_parents_are_refused()
    {
        var e = Assert.Throws<InputException>(() => RunDirectory.Create(".", "classify"));
        Assert.Contains("working directory", e.Message);
        Assert.Throws<InputException>(() => RunDirectory.Create("..", "classify"));
        Assert.Throws<InputException>(() => RunDirectory.Create("/", "classify"));
    }

    [Fact]
    public void Discard_removes_only_what_the_run_wrote()
    {
        using var dir = new TempDir();
        string target = dir.File("run");
        var run = RunDirectory.Create(target, "classify");
        File.WriteAllText(run.File("task.json"), "{}");
        run.Discard();
        Assert.False(Directory.Exists(run.WorkPath));

        var second = RunDirectory.Create(target, "classify");
        File.WriteAllText(Path.Combine(second.WorkPath, "mine.txt"), "mine");
        second.Discard();
        Assert.Equal("mine", File.ReadAllText(Path.Combine(second.WorkPath, "mine.txt")));
    }

    [Fact]
    public void An_abandoned_run_is_kept_only_when_resume_can_continue_it()
    {
        using var dir = new TempDir();
        // No backup yet: the half-written run goes (only what it wrote).
        var fresh = RunDirectory.Create(dir.File("fresh"), "classify");
        File.WriteAllText(fresh.File("task.json"), "{}");
        _ = fresh.Scratch("backup.safetensors"); // named, not yet written
        Assert.Null(fresh.Abandon());
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));

        // A backup written: kept for --resume, and the note names the staging directory.
        var trained = RunDirectory.Create(dir.File("trained"), "classify");
        File.WriteAllText(trained.File("task.json"), "{}");
        File.WriteAllText(trained.Scratch("backup.safetensors"), "state");
        Assert.Contains("trained.partial: run the same command with --resume", trained.Abandon());
        Assert.Equal("state", File.ReadAllText(Path.Combine(dir.File("trained.partial"), "backup.safetensors")));

        // A resumed run keeps what the interrupted one left, however early it fails.
        var resumed = RunDirectory.Create(dir.File("trained"), "classify", resume: true);
        Assert.NotNull(resumed.Abandon());
        Assert.True(File.Exists(Path.Combine(dir.File("trained.partial"), "backup.safetensors")));

        // A file of the user's in the staging directory stops the discard: nothing is deleted.
        var shared = RunDirectory.Create(dir.File("shared"), "classify");
        File.WriteAllText(shared.File("model.recur"), "half");
        File.WriteAllText(Path.Combine(shared.WorkPath, "notes.txt"), "mine");
        Assert.Null(shared.Abandon());
        Assert.Equal("mine", File.ReadAllText(Path.Combine(shared.WorkPath, "notes.txt")));
        Assert.True(File.Exists(Path.Combine(shared.WorkPath, "model.recur")));

        // A completed run is left alone.
        var done = RunDirectory.Create(dir.File("done"), "classify");
        Finish(done);
        Assert.Null(done.Abandon());
        Assert.True(File.Exists(Path.Combine(dir.File("done"), "model.recur")));
    }

    [Fact]
    public void Json_files_never_touch_a_fixed_temporary_name()
    {
        using var dir = new TempDir();
        string path = dir.File("metrics.json");
        File.WriteAllText(path + ".tmp", "mine");

        JsonFiles.WriteAtomic(path, "{}"u8.ToArray());

        Assert.Equal("{}", File.ReadAllText(path));
        Assert.Equal("mine", File.ReadAllText(path + ".tmp"));
        Assert.Equal(new[] { "metrics.json", "metrics.json.tmp" }, Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order());
    }

    /// <summary>The id of a process that has ended (and is not running again under that id).</summary>
    private static int EndedProcessId()
    {
        using var p = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        p.WaitForExit();
        return p.Id;
    }
}
