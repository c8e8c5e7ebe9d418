using System.Diagnostics;
using System.Globalization;

namespace Recur.Cli.Common;

/// <summary>
/// The output directory of one run. Files are written into a sibling staging directory
/// (<c>DIR.partial</c>) and the whole directory is renamed to <c>DIR</c> only when the run has
/// finished, so a run that fails never leaves a directory that looks complete.
/// </summary>
/// <remarks>
/// <para>A run never deletes what it did not create. Every run directory holds a manifest,
/// <see cref="ManifestFile"/>, naming the process that started it and every file the run wrote
/// (each name is recorded before the file is written). Only names in a manifest are ever deleted:</para>
/// <list type="bullet">
/// <item>An existing <c>DIR</c> is replaced only when it is empty, or an earlier run whose manifest
/// lists everything in it; a directory holding anything else is refused before the run starts.
/// Should a file appear in the old run while the new one trains, the old run is moved aside
/// (<c>DIR.replaced-TIME</c>) instead of deleted.</item>
/// <item>An existing <c>DIR.partial</c> is removed only when its manifest says a recur process
/// that is no longer running started it, and then only the files that process recorded; anything
/// else in it (or a live owner) makes the run refuse to start.</item>
/// </list>
/// </remarks>
internal sealed class RunDirectory
{
    /// <summary>Every completed run directory holds this file (written last, before the rename).</summary>
    public const string MetricsFile = "metrics.json";

    /// <summary>The manifest: the owner on the first line, then one file name per line.</summary>
    public const string ManifestFile = ".recur-run";

    private const string ManifestHeader = "recur-run 1";

    private readonly HashSet<string> _recorded = new(StringComparer.Ordinal);
    private readonly HashSet<string> _scratch = new(StringComparer.Ordinal);
    private bool _finished;

    private RunDirectory(string finalPath, string shownPath)
    {
        FinalPath = finalPath;
        WorkPath = finalPath + ".partial";
        ShownPath = shownPath;
    }

    /// <summary>Where the files are once the run completes.</summary>
    public string FinalPath { get; }

    /// <summary>Where the files are written during the run.</summary>
    public string WorkPath { get; }

    /// <summary>The directory as the user named it (in messages).</summary>
    private string ShownPath { get; }

    /// <summary>
    /// Prepares <paramref name="requested"/> (or <c>runs/TASK-yyyyMMdd-HHmmss</c>) and claims its
    /// staging directory. Refuses (with <see cref="InputException"/>) a target that is a file, the
    /// working directory or one holding it, a directory with anything recur did not write, and a
    /// staging directory that is not a leftover of a finished recur process.
    /// </summary>
    /// <param name="requested">The --out directory, or null for the default.</param>
    /// <param name="task">The command (for the default name).</param>
    /// <param name="resume">Continue in the staging directory of an interrupted run (<c>--resume</c>)
    /// instead of starting anew: it must exist, have been started by a recur process that has
    /// ended, and hold nothing recur did not write.</param>
    public static RunDirectory Create(string? requested, string task, bool resume = false)
    {
        if (resume && string.IsNullOrWhiteSpace(requested))
            throw new InputException("--resume needs --out DIR: the output directory of the interrupted run.");
        string path = string.IsNullOrWhiteSpace(requested)
            ? Path.Combine("runs", $"{task}-{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}")
            : requested;
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        if (Path.GetDirectoryName(full) is null)
            throw new InputException($"--out {path}: is the root of a file system; choose a new directory for the run.");
        string cwd = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Directory.GetCurrentDirectory()));
        if (cwd == full || cwd.StartsWith(full + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new InputException($"--out {path}: is the working directory or holds it; choose a new directory for the run.");
        if (System.IO.File.Exists(full)) throw new InputException($"--out {path}: a file of that name exists; expected a directory.");
        if (Directory.Exists(full))
        {
            var foreign = ForeignEntries(full);
            if (foreign is { Count: > 0 })
                throw new InputException($"--out {path}: the directory holds {Listing(foreign)}, which recur did not write; " +
                                         "a run replaces only an earlier recur run: choose another --out.");
            if (foreign is null)
                throw new InputException($"--out {path}: the directory exists and is not an earlier recur run; choose another --out.");
        }
        var run = new RunDirectory(full, path);
        if (resume) run.TakeOverStaging();
        else run.ClaimStaging();
        return run;
    }

    /// <summary>True when the run continues an interrupted one (its staging directory was kept).</summary>
    public bool Resumed { get; private set; }

    /// <summary>
    /// The path of a file the run needs only while it runs (a training backup): recorded like
    /// <see cref="File"/>, and deleted when the run completes.
    /// </summary>
    public string Scratch(string name)
    {
        string path = File(name);
        _scratch.Add(name);
        return path;
    }

    /// <summary>The path of a file in the run (in the staging directory until completion); the name is recorded first.</summary>
    public string File(string name)
    {
        if (name.Length == 0 || name != Path.GetFileName(name) || name is "." or ".." || name == ManifestFile)
            throw new ArgumentException($"'{name}' is not a plain file name for a run directory.", nameof(name));
        if (_finished) throw new InvalidOperationException($"The run in {ShownPath} is already complete.");
        if (_recorded.Add(name)) Manifest.Append(WorkPath, name);
        return Path.Combine(WorkPath, name);
    }

    /// <summary>
    /// Publishes the run: the staging directory becomes <see cref="FinalPath"/>. An earlier run
    /// there is removed (only the files its manifest lists), or moved aside if anything else
    /// appeared in it meanwhile.
    /// </summary>
    public void Complete()
    {
        if (_finished) throw new InvalidOperationException($"The run in {ShownPath} is already complete or discarded.");
        foreach (var name in _scratch) System.IO.File.Delete(Path.Combine(WorkPath, name));
        string? old = null;
        if (Directory.Exists(FinalPath))
        {
            // Moved out of the way first, so the new run appears at once and nothing is deleted before it does.
            old = $"{FinalPath}.replaced-{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{Environment.ProcessId}";
            Directory.Move(FinalPath, old);
        }
        Directory.Move(WorkPath, FinalPath);
        _finished = true;
        if (old is not null) RemoveIfOnlyOurs(old);
    }

    /// <summary>Removes the staging directory of a run that ended on bad input (only what this run wrote).</summary>
    public void Discard()
    {
        if (_finished) return;
        _finished = true;
        RemoveIfOnlyOurs(WorkPath);
    }

    /// <summary>
    /// After a failure (bad input found late, a crash): a run that <c>--resume</c> can continue
    /// is kept in its staging directory, and the returned note says so; any other unfinished run
    /// is discarded (<see cref="Discard"/>: only what it wrote, and nothing if anything else
    /// appeared in it) and null is returned. A completed run is left alone.
    /// </summary>
    /// <remarks>
    /// Resumable: a training backup of this run exists (<see cref="Scratch"/>), or the run itself
    /// continued an interrupted one (whose backups it must not lose, however far it got).
    /// A kill runs none of this: the staging directory stays, as it must for <c>--resume</c>.
    /// </remarks>
    public string? Abandon()
    {
        if (_finished) return null;
        if (Resumed || _scratch.Any(name => System.IO.File.Exists(Path.Combine(WorkPath, name))))
            return $"the run so far is kept in {ShownPath}.partial: run the same command with --resume to continue it";
        Discard();
        return null;
    }

    /// <summary>
    /// Creates the staging directory, or takes over a leftover one of a recur process that has
    /// ended, after removing what that process wrote. The manifest is created exclusively, so two
    /// runs never share a staging directory.
    /// </summary>
    private void ClaimStaging()
    {
        if (Directory.Exists(WorkPath))
        {
            var manifest = Manifest.TryRead(WorkPath);
            string shown = ShownPath + ".partial";
            if (manifest is null)
                throw new InputException($"--out {ShownPath}: {shown} exists and was not started by recur; remove it or choose another --out.");
            if (manifest.OwnerAlive())
                throw new InputException($"--out {ShownPath}: another recur run (process {manifest.ProcessId}) is writing {shown}; wait for it or choose another --out.");
            if (!RemoveIfOnlyOurs(WorkPath))
                throw new InputException($"--out {ShownPath}: {shown} is left from an unfinished run but also holds " +
                                         $"{Listing(ForeignEntries(WorkPath) ?? new List<string>())}, which recur did not write; remove it or choose another --out.");
        }
        Directory.CreateDirectory(WorkPath);
        try
        {
            Manifest.Create(WorkPath);
        }
        catch (IOException e)
        {
            throw new InputException($"--out {ShownPath}: cannot start the run in {ShownPath}.partial ({e.Message}); another run may have started there.");
        }
    }

    /// <summary>
    /// Continues in the staging directory of an interrupted run: checks it is a leftover of a recur
    /// process that has ended and holds only what that run wrote, removes the temporary files of
    /// saves the interruption cut short, and makes this process its owner (keeping its file list).
    /// </summary>
    private void TakeOverStaging()
    {
        string shown = ShownPath + ".partial";
        if (!Directory.Exists(WorkPath))
            throw new InputException($"--resume: there is no interrupted run in --out {ShownPath} ({shown} does not exist).");
        if (Manifest.OnlyTemporaries(WorkPath))
        {
            // Killed between creating the directory and its manifest: nothing to resume, start there.
            Manifest.Create(WorkPath);
            Resumed = true;
            return;
        }
        var manifest = Manifest.TryRead(WorkPath)
            ?? throw new InputException($"--resume: {shown} was not started by recur; remove it or choose another --out.");
        // The owner may be this process itself when recur runs inside a host (tests): its run ended.
        if (manifest.ProcessId != Environment.ProcessId && manifest.OwnerAlive())
            throw new InputException($"--resume: another recur run (process {manifest.ProcessId}) is writing {shown}; wait for it or choose another --out.");
        var foreign = ForeignEntries(WorkPath) ?? new List<string>();
        if (foreign.Count > 0)
            throw new InputException($"--resume: {shown} holds {Listing(foreign)}, which recur did not write; remove it or choose another --out.");
        foreach (var entry in Directory.EnumerateFiles(WorkPath, ".*.tmp").ToList())
            System.IO.File.Delete(entry);
        Manifest.Replace(WorkPath, manifest.Names);
        _recorded.UnionWith(manifest.Names);
        Resumed = true;
    }

    /// <summary>
    /// The entries of <paramref name="dir"/> that its manifest does not list: empty when recur wrote
    /// everything (or the directory is empty), null when it is not empty and has no manifest.
    /// </summary>
    private static List<string>? ForeignEntries(string dir)
    {
        var entries = Directory.EnumerateFileSystemEntries(dir).Select(e => Path.GetFileName(e)!).ToList();
        if (entries.Count == 0) return entries;
        var manifest = Manifest.TryRead(dir);
        if (manifest is null) return null;
        return entries.Where(e => !manifest.Owns(e, Path.Combine(dir, e))).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Deletes the files the manifest of <paramref name="dir"/> lists and then the directory, but
    /// only when nothing else is in it; returns false (deleting nothing) otherwise.
    /// </summary>
    private static bool RemoveIfOnlyOurs(string dir)
    {
        try
        {
            if (ForeignEntries(dir) is not { Count: 0 }) return false;
            foreach (var entry in Directory.EnumerateFiles(dir).Where(e => Path.GetFileName(e) != ManifestFile).ToList())
                System.IO.File.Delete(entry);
            System.IO.File.Delete(Path.Combine(dir, ManifestFile));
            Directory.Delete(dir, recursive: false); // fails, deleting nothing more, if anything appeared meanwhile
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string Listing(List<string> names)
        => string.Join(", ", names.Take(3).Select(n => $"'{n}'")) + (names.Count > 3 ? $" and {names.Count - 3} more" : "");

    /// <summary>
    /// The manifest file: <c>recur-run 1</c>, then <c>pid START</c> (the owner process and its start
    /// time in ticks), then the recorded file names, one per line. A line is taken only when its
    /// newline was written, so a torn last line never names anything.
    /// </summary>
    private sealed record Manifest(int ProcessId, long StartTicks, HashSet<string> Names)
    {
        /// <summary>
        /// Creates the manifest, whole or not at all: the header is written to a temporary file
        /// that is then moved to the manifest's name, failing if a manifest exists (so two runs
        /// never share a staging directory). A kill leaves at most the temporary file
        /// (<see cref="OnlyTemporaries"/>), never a manifest without its owner.
        /// </summary>
        public static void Create(string dir)
        {
            var (pid, start) = Self();
            string temporary = Path.Combine(dir, $".{ManifestFile}.{pid}.tmp");
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write))
            {
                stream.Write(System.Text.Encoding.UTF8.GetBytes($"{ManifestHeader}\n{pid} {start}\n"));
                stream.Flush(flushToDisk: true);
            }
            try
            {
                System.IO.File.Move(temporary, Path.Combine(dir, ManifestFile), overwrite: false);
            }
            catch
            {
                System.IO.File.Delete(temporary);
                throw;
            }
        }

        /// <summary>True when <paramref name="dir"/> holds nothing but temporary files of a manifest (a run killed while creating it); they are removed.</summary>
        public static bool OnlyTemporaries(string dir)
        {
            var entries = Directory.EnumerateFileSystemEntries(dir).ToList();
            if (!entries.All(e => IsManifestTemporary(Path.GetFileName(e)))) return false;
            foreach (var entry in entries) System.IO.File.Delete(entry);
            return true;
        }

        private static bool IsManifestTemporary(string name)
            => name.StartsWith("." + ManifestFile + ".", StringComparison.Ordinal) && name.EndsWith(".tmp", StringComparison.Ordinal);

        /// <summary>Rewrites the manifest atomically with this process as the owner and <paramref name="names"/> recorded.</summary>
        public static void Replace(string dir, IEnumerable<string> names)
        {
            var (pid, start) = Self();
            var bytes = System.Text.Encoding.UTF8.GetBytes($"{ManifestHeader}\n{pid} {start}\n" + string.Concat(names.Select(n => n + "\n")));
            Recur.Serialization.AtomicFile.Write(Path.Combine(dir, ManifestFile), stream => stream.Write(bytes));
        }

        public static void Append(string dir, string name)
        {
            using var stream = new FileStream(Path.Combine(dir, ManifestFile), FileMode.Append, FileAccess.Write);
            stream.Write(System.Text.Encoding.UTF8.GetBytes(name + "\n"));
            stream.Flush(flushToDisk: true);
        }

        public static Manifest? TryRead(string dir)
        {
            string path = Path.Combine(dir, ManifestFile);
            string text;
            try
            {
                if (!System.IO.File.Exists(path) || new FileInfo(path).Length > 1 << 20) return null;
                text = System.IO.File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
            var lines = text.Split('\n');
            if (lines.Length < 3 || lines[0] != ManifestHeader) return null;
            var owner = lines[1].Split(' ');
            if (owner.Length != 2 || !int.TryParse(owner[0], NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                || !long.TryParse(owner[1], NumberStyles.None, CultureInfo.InvariantCulture, out long start))
                return null;
            // lines[^1] follows the last newline: empty, or a torn name that is ignored.
            var names = lines[2..^1].Where(n => n.Length > 0).ToHashSet(StringComparer.Ordinal);
            return new Manifest(pid, start, names);
        }

        /// <summary>True for the manifest, a recorded file, and a temporary file of an atomic write of one (<c>.NAME.*.tmp</c>).</summary>
        public bool Owns(string entry, string fullPath)
        {
            if (!System.IO.File.Exists(fullPath)) return false; // a directory: recur writes none
            if (entry == ManifestFile || Names.Contains(entry)) return true;
            return entry.StartsWith('.') && entry.EndsWith(".tmp", StringComparison.Ordinal)
                   && (entry.StartsWith("." + ManifestFile + ".", StringComparison.Ordinal) // a rewrite of the manifest (--resume) cut short
                       || Names.Any(n => entry.StartsWith("." + n + ".", StringComparison.Ordinal)));
        }

        /// <summary>True when the owner may still be running (when in doubt: true).</summary>
        public bool OwnerAlive()
        {
            try
            {
                using var process = Process.GetProcessById(ProcessId);
                // The start time tells a reused process id from the owner; it is derived from the
                // boot time, which two readings may place a little apart.
                return !process.HasExited
                       && Math.Abs(process.StartTime.ToUniversalTime().Ticks - StartTicks) < TimeSpan.TicksPerSecond * 2;
            }
            catch (ArgumentException)
            {
                return false; // no such process
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
            {
                return true;
            }
        }

        private static (int Pid, long StartTicks) Self()
        {
            using var self = Process.GetCurrentProcess();
            return (self.Id, self.StartTime.ToUniversalTime().Ticks);
        }
    }
}
