using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Recur.Cli.Common;
using Recur.Cli.Serving;
using Recur.Serve;
using Recur.Serve.Models;

namespace Recur.Cli.Tasks;

/// <summary>
/// <c>recur serve</c>: the models of run directories behind an HTTP API (<c>/v1/models</c>,
/// <c>:predict</c>, streams, <c>/metrics</c>, OpenAPI) with a web page at <c>/</c> to try them and,
/// with <c>--runs</c>, to watch trainings. Runs until Ctrl-C or SIGTERM, then lets the requests in
/// flight finish.
/// </summary>
internal static class ServeCommand
{
    public static Command Create(CliContext ctx)
    {
        var defaults = new ServeOptions();
        var models = new Option<string[]>("--model", "-m") { Description = "A run directory (or model.recur) to serve, as DIR or NAME=DIR; repeat for several", HelpName = "[NAME=]DIR", AllowMultipleArgumentsPerToken = false };
        var runs = new Option<string?>("--runs") { Description = "A directory of run directories to list and chart live on the web page (e.g. runs)", HelpName = "DIR" };
        var urls = new Option<string>("--urls") { Description = "Where to listen (';'-separated); loopback unless told otherwise", DefaultValueFactory = _ => defaults.Urls };
        var window = new Option<double>("--batch-window") { Description = "Milliseconds the first request of a batch waits for others", DefaultValueFactory = _ => defaults.BatchWindow.TotalMilliseconds };
        var maxBatch = new Option<int>("--max-batch") { Description = "Most requests in one forward pass (1: no micro-batching)", DefaultValueFactory = _ => defaults.MaxBatch };
        var concurrent = new Option<int>("--concurrent-batches") { Description = "Batches of one model run at once (classify, tag, forecast; a language model steps one at a time)", DefaultValueFactory = _ => defaults.ConcurrentBatches };
        var maxQueue = new Option<int>("--max-queue") { Description = "Most requests waiting per model; more get 503", DefaultValueFactory = _ => defaults.MaxQueue };
        var maxBody = new Option<long>("--max-body") { Description = "Largest request body in bytes", DefaultValueFactory = _ => defaults.MaxBodyBytes };
        var maxText = new Option<int>("--max-text") { Description = "Longest text or prime in characters", DefaultValueFactory = _ => defaults.MaxTextLength };
        var maxTexts = new Option<int>("--max-texts") { Description = "Most texts per request", DefaultValueFactory = _ => defaults.MaxTexts };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Most characters one generation may ask for", DefaultValueFactory = _ => defaults.MaxTokens };
        var timeout = new Option<double>("--timeout") { Description = "Seconds a request may take (504 after)", DefaultValueFactory = _ => defaults.RequestTimeout.TotalSeconds };
        var maxStreams = new Option<int>("--max-streams") { Description = "Most stateful streams open at once", DefaultValueFactory = _ => defaults.MaxStreams };
        var streamIdle = new Option<double>("--stream-idle") { Description = "Seconds after which an unused stream is closed", DefaultValueFactory = _ => defaults.StreamIdleTimeout.TotalSeconds };
        var jsonLogs = new Option<bool>("--log-json") { Description = "Log one JSON object per line" };
        var threads = new Option<int?>("--threads") { Description = "Use at most this many processors (default: all)" };
        var command = new Command("serve", "Serve trained models over HTTP with a web page to try them and watch trainings")
        {
            models, runs, urls, window, maxBatch, concurrent, maxQueue, maxBody, maxText, maxTexts, maxTokens, timeout, maxStreams, streamIdle, jsonLogs, threads,
        };
        command.SetAction(r =>
        {
            ThreadSetting.PinProcess(r.GetValue(threads));
            ServeOptions options;
            try
            {
                options = new ServeOptions
                {
                    Urls = r.GetValue(urls)!,
                    RunsDirectory = r.GetValue(runs),
                    BatchWindow = TimeSpan.FromMilliseconds(r.GetValue(window)),
                    MaxBatch = r.GetValue(maxBatch),
                    ConcurrentBatches = r.GetValue(concurrent),
                    MaxQueue = r.GetValue(maxQueue),
                    MaxBodyBytes = r.GetValue(maxBody),
                    MaxTextLength = r.GetValue(maxText),
                    MaxTexts = r.GetValue(maxTexts),
                    MaxTokens = r.GetValue(maxTokens),
                    RequestTimeout = TimeSpan.FromSeconds(r.GetValue(timeout)),
                    MaxStreams = r.GetValue(maxStreams),
                    StreamIdleTimeout = TimeSpan.FromSeconds(r.GetValue(streamIdle)),
                    JsonLogs = r.GetValue(jsonLogs),
                };
                options.Validate();
            }
            catch (Exception e) when (e is ArgumentException or OverflowException)
            {
                throw new InputException(e.Message);
            }
            return Run(ctx, options, r.GetValue(models) ?? []);
        });
        return command;
    }

    private static int Run(CliContext ctx, ServeOptions options, string[] specs)
    {
        if (specs.Length == 0 && options.RunsDirectory is null)
            throw new InputException("nothing to serve: pass --model DIR (a run directory of classify, tag, forecast or charlm) and/or --runs DIR.");
        if (options.RunsDirectory is { } runs && !Directory.Exists(runs))
            throw new InputException($"--runs {runs}: directory not found.");
        var context = new ServeContext(options);
        var models = Load(specs, context);
        var app = ServeApp.Build(context, models);
        try
        {
            app.StartAsync(ctx.Cancellation).GetAwaiter().GetResult();
        }
        catch (IOException e)
        {
            throw new InputException($"--urls {options.Urls}: cannot listen there ({e.Message}).");
        }
        ctx.Output.WriteLine($"serving {string.Join(", ", models.Select(m => $"{m.Name} ({m.Info.Task})"))}{(models.Count == 0 ? "no models" : "")} on {string.Join(" ", app.Urls)}; Ctrl-C to stop");
        app.WaitForShutdownAsync(ctx.Cancellation).GetAwaiter().GetResult();
        ((IAsyncDisposable)app).DisposeAsync().AsTask().GetAwaiter().GetResult();
        return CliApp.Success;
    }

    /// <summary>Every <c>[NAME=]DIR</c> as a served model; names must be unique.</summary>
    internal static List<ServedModel> Load(string[] specs, ServeContext context)
    {
        var models = new List<ServedModel>();
        foreach (var spec in specs)
        {
            int eq = spec.IndexOf('=', StringComparison.Ordinal);
            bool named = eq > 0 && !Directory.Exists(spec) && !File.Exists(spec);
            string path = named ? spec[(eq + 1)..] : spec;
            string name = named ? spec[..eq] : TaskAdapters.DefaultName(path);
            if (models.Any(m => m.Name == name))
                throw new InputException($"--model {spec}: a model is already called '{name}'; name this one with --model NAME=DIR.");
            if (!System.Text.RegularExpressions.Regex.IsMatch(name, "^[A-Za-z0-9._-]{1,100}$"))
                throw new InputException($"--model {spec}: the name '{name}' is not usable in a URL; use letters, digits, '.', '_' and '-'.");
            models.Add(TaskAdapters.Load(path, name, context));
        }
        return models;
    }
}
