using Recur.Cli.Common;
using Recur.Cli.Tasks;
using Recur.Serve;
using Recur.Serve.Models;

namespace Recur.Cli.Serving;

/// <summary>
/// Makes a model a <c>recur</c> command wrote servable: reads its run directory and builds the
/// predictor of its task around the command's own prediction code, with the server's endpoint for
/// that task.
/// </summary>
internal interface ITaskAdapter
{
    /// <summary>The task name in <c>task.json</c>.</summary>
    string Task { get; }

    /// <summary>The model at <paramref name="path"/> (a run directory or its model file, of this task) served as <paramref name="name"/>.</summary>
    ServedModel Load(string path, string name, ServeContext context);
}

/// <summary>
/// Every servable task, one adapter each (a new task adds its adapter here). The server picks the
/// adapter by the <c>task</c> field of the model's <c>task.json</c>.
/// </summary>
internal static class TaskAdapters
{
    public static IReadOnlyList<ITaskAdapter> All { get; } =
    [
        new ClassifyAdapter(),
        new TagAdapter(),
        new ForecastAdapter(),
        new CharLmAdapter(),
        new TranslateAdapter(),
    ];

    /// <summary>Loads the model at <paramref name="path"/> (a run directory or model.recur) as <paramref name="name"/>.</summary>
    public static ServedModel Load(string path, string name, ServeContext context)
    {
        var byTask = All.ToDictionary(a => a.Task, StringComparer.Ordinal);
        // task.json says which adapter reads the model (each task has its own model file and checks).
        var (_, task) = TrainedModel.Files(path, All.Select(a => a.Task).ToArray());
        return byTask[task["task"]!.GetValue<string>()].Load(path, name, context);
    }

    /// <summary>"bidirectional LSTM(128), 1,234,567 parameters".</summary>
    public static string Architecture(TrainedModel trained)
    {
        string cells = trained.Task["model"]?.GetValue<string>() ?? trained.Model.Layers.Count + " layers";
        long parameters = trained.Model.Parameters.Sum(p => (long)p.Value.Length);
        return $"{cells}, {parameters.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} parameters";
    }

    /// <summary>The name a model is served under by default: its run directory's name.</summary>
    public static string DefaultName(string path)
    {
        string full = Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar);
        string dir = File.Exists(full) ? Path.GetDirectoryName(full)! : full;
        var name = new string(Path.GetFileName(dir).Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '-').ToArray());
        return name.Length == 0 ? "model" : name;
    }

    /// <summary>An adapter's failure to serve a model it cannot (a forecast with feature columns) as bad input.</summary>
    public static InputException CannotServe(string path, string reason) => new($"--model {path}: {reason}");
}
