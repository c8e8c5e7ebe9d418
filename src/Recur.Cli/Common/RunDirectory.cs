using System.Globalization;

namespace Recur.Cli.Common;

/// <summary>
/// The output directory of one run. Files are written into a sibling staging directory
/// (<c>DIR.partial</c>) and the whole directory is renamed to <c>DIR</c> only when the run has
/// finished, so a run that fails never leaves a directory that looks complete. A run that fails
/// on bad input removes its staging directory; one that crashes leaves it, named <c>.partial</c>.
/// </summary>
internal sealed class RunDirectory
{
    /// <summary>Every completed run directory holds this file (written last, before the rename).</summary>
    public const string MetricsFile = "metrics.json";

    private bool _completed;

    private RunDirectory(string finalPath)
    {
        FinalPath = finalPath;
        WorkPath = finalPath + ".partial";
    }

    /// <summary>Where the files are once the run completes.</summary>
    public string FinalPath { get; }

    /// <summary>Where the files are written during the run.</summary>
    public string WorkPath { get; }

    /// <summary>
    /// Prepares <paramref name="requested"/> (or <c>runs/TASK-yyyyMMdd-HHmmss</c>). An existing
    /// directory is replaced only when it is an earlier completed run (it has metrics.json) or empty.
    /// </summary>
    public static RunDirectory Create(string? requested, string task)
    {
        string path = string.IsNullOrWhiteSpace(requested)
            ? Path.Combine("runs", $"{task}-{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}")
            : requested;
        string full = Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar);
        if (System.IO.File.Exists(full)) throw new InputException($"--out {path}: a file of that name exists; expected a directory.");
        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any() && !System.IO.File.Exists(Path.Combine(full, MetricsFile)))
            throw new InputException($"--out {path}: the directory exists and is not an earlier recur run; choose another --out.");
        var run = new RunDirectory(full);
        if (Directory.Exists(run.WorkPath)) Directory.Delete(run.WorkPath, recursive: true);
        Directory.CreateDirectory(run.WorkPath);
        return run;
    }

    /// <summary>The path of a file in the run (in the staging directory until completion).</summary>
    public string File(string name) => Path.Combine(WorkPath, name);

    /// <summary>Publishes the run: replaces any earlier run at <see cref="FinalPath"/> with the staging directory.</summary>
    public void Complete()
    {
        if (Directory.Exists(FinalPath)) Directory.Delete(FinalPath, recursive: true);
        Directory.Move(WorkPath, FinalPath);
        _completed = true;
    }

    /// <summary>Removes the staging directory of a run that ended on bad input.</summary>
    public void Discard()
    {
        if (_completed) return;
        try
        {
            if (Directory.Exists(WorkPath)) Directory.Delete(WorkPath, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        _completed = true;
    }
}
