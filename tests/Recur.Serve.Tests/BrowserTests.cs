using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Recur.Cli;
using Recur.Cli.Tasks;

namespace Recur.Serve.Tests;

/// <summary>
/// Debian's chromium, headless, driven by Playwright (its own browser download is never used).
/// A machine without chromium gets it from apt-get (.ci/run installs it first; this covers a plain
/// <c>dotnet test</c>), as root or through <c>sudo -n</c>; if that fails the tests fail, never skip.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    private const string Executable = "/usr/bin/chromium";
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(Executable)) Install();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = Executable, Headless = true, Args = ["--no-sandbox"] });
    }

    private static void Install()
    {
        foreach (var args in new[] { "update", "install -y --no-install-recommends chromium" })
        {
            var start = Environment.IsPrivilegedProcess
                ? new ProcessStartInfo("apt-get", args)
                : new ProcessStartInfo("sudo", "-n env DEBIAN_FRONTEND=noninteractive apt-get " + args);
            start.RedirectStandardOutput = true;
            start.RedirectStandardError = true;
            start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
            using var apt = Process.Start(start) ?? throw new InvalidOperationException("apt-get could not be started to install chromium.");
            var error = apt.StandardError.ReadToEndAsync();
            apt.StandardOutput.ReadToEnd();
            apt.WaitForExit();
            if (apt.ExitCode != 0) throw new InvalidOperationException($"apt-get {args} failed ({apt.ExitCode}): {error.Result}");
        }
        if (!File.Exists(Executable)) throw new InvalidOperationException($"apt-get installed chromium but {Executable} is missing.");
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
    }
}

/// <summary>The web page in a real browser against a real Kestrel server on loopback.</summary>
[Collection("served models")]
public sealed class BrowserTests(TinyModels models, Chromium chromium) : IClassFixture<Chromium>, IAsyncLifetime
{
    private readonly Chromium _chromium = chromium;
    private WebApplication _app = null!;
    private string _url = "";
    private string _runs = "";

    public async Task InitializeAsync()
    {
        _runs = Path.Combine(models.Root, "runs-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_runs);
        var context = new ServeContext(new ServeOptions { Urls = "http://127.0.0.1:0", RunsDirectory = _runs });
        var served = ServeCommand.Load([$"sst2={models.Classify}", $"pos={models.Tag}", $"airline={models.Forecast}", $"shakespeare={models.CharLm}", $"rev={models.Translate}"], context);
        _app = ServeApp.Build(context, served, b => b.Logging.ClearProviders());
        await _app.StartAsync();
        _url = _app.Urls.First();
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<IPage> OpenAsync(string hash = "")
    {
        var page = await _chromium.Browser.NewPageAsync(new() { ViewportSize = new() { Width = 1100, Height = 900 } });
        await page.GotoAsync(_url + "/" + hash);
        await page.WaitForSelectorAsync("body[data-ready=true]");
        return page;
    }

    [Fact]
    public async Task Type_a_sentence_and_see_its_label()
    {
        var page = await OpenAsync();
        var section = page.Locator("section.model[data-model=sst2]");
        await section.Locator("input.text").FillAsync("a great and lovely film");
        await section.Locator("button.run").ClickAsync();
        var label = section.Locator(".label");
        await label.WaitForAsync();
        using var http = new HttpClient();
        var answer = JsonNode.Parse(await (await http.PostAsync(_url + "/v1/models/sst2:predict", TestServe.Json("""{"text": "a great and lovely film"}"""))).Content.ReadAsStringAsync())!;
        Assert.StartsWith(answer["label"]!.GetValue<string>() + " · ", await label.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(2, await section.Locator(".bar").CountAsync());

        var tagger = page.Locator("section.model[data-model=pos]");
        await tagger.Locator("input.text").FillAsync("the dog runs to a city");
        await tagger.Locator("input.text").PressAsync("Enter");
        await tagger.Locator(".chip").Nth(5).WaitForAsync();
        Assert.Equal(6, await tagger.Locator(".chip").CountAsync());

        var forecast = page.Locator("section.model[data-model=airline]");
        await forecast.Locator("button.run").ClickAsync();
        await forecast.Locator("svg.chart polyline[data-series=forecast]").WaitForAsync();
        Assert.Equal("13", await forecast.Locator("svg.chart polyline[data-series=forecast]").GetAttributeAsync("data-points")); // the last value, then 12 forecasts

        var bad = page.Locator("section.model[data-model=sst2]");
        await bad.Locator("input.text").FillAsync(new string('x', 10_001));
        await bad.Locator("button.run").ClickAsync();
        await bad.Locator(".error:not([hidden])").WaitForAsync();
        Assert.Contains("limit is 10,000", await bad.Locator(".error").InnerTextAsync(), StringComparison.Ordinal);
        await bad.Locator("input.text").FillAsync("a great and lovely film");
        await bad.Locator("button.run").ClickAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('section[data-model=sst2] .error').hidden");
        await Screenshot(page, "serve-playground.png");
    }

    [Fact]
    public async Task Type_a_word_and_see_the_k_best_translations_the_endpoint_answers()
    {
        var page = await OpenAsync();
        var section = page.Locator("section.model[data-model=rev]");
        await section.Locator("input.text").PressSequentiallyAsync("abcx"); // x: a letter the model never saw
        await section.Locator("input[name=beam]").FillAsync("3");
        await ClickAndObserveAsync(page, "section[data-model=rev]", section.Locator("button.run"),
            "s => s.querySelector('.error').hidden && s.querySelector('ol.best li')");

        using var http = new HttpClient();
        var answer = JsonNode.Parse(await (await http.PostAsync(_url + "/v1/models/rev:predict", TestServe.Json("""{"text": "abcx", "beam": 3}"""))).Content.ReadAsStringAsync())!;
        var best = answer["best"]!.AsArray();
        Assert.NotEmpty(best);
        Assert.Equal(answer["output"]!.GetValue<string>(), await section.Locator(".translation .output").TextContentAsync());
        Assert.Equal(best.Select(h => h!["output"]!.GetValue<string>()), await section.Locator("ol.best .hypothesis").AllTextContentsAsync());
        Assert.Equal(best.Select(h => h!["score"]!.GetValue<double>()), await section.Locator("ol.best .score").EvaluateAllAsync<double[]>("els => els.map(e => +e.dataset.score)"));
        Assert.Equal(best.Select(h => h!["score"]!.GetValue<double>().ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture)),
            await section.Locator("ol.best .score").AllTextContentsAsync());
        Assert.Equal(["x"], answer["unknown"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal(["x"], await section.Locator(".unknown .unk").AllTextContentsAsync());
        await Screenshot(page, "serve-translate.png", section);

        // A beam over the model's limit: the problem document's detail inline, no stale outputs beside it.
        await section.Locator("input[name=beam]").FillAsync("17");
        await ClickAndObserveAsync(page, "section[data-model=rev]", section.Locator("button.run"), "s => !s.querySelector('.error').hidden");
        string error = await section.Locator(".error").InnerTextAsync();
        Assert.Contains("beam", error, StringComparison.Ordinal);
        Assert.Contains("16", error, StringComparison.Ordinal);
        Assert.Equal(0, await section.Locator("ol.best li").CountAsync());
    }

    /// <summary>
    /// Clicks <paramref name="button"/> and waits until <paramref name="done"/> (a JavaScript
    /// predicate of the section) holds, checked by a MutationObserver at every change of the
    /// section from before the click, so no change is missed however fast the answer comes.
    /// </summary>
    private static async Task ClickAndObserveAsync(IPage page, string section, ILocator button, string done)
    {
        await page.EvaluateAsync("""
            ([selector, done]) => {
              const s = document.querySelector(selector);
              const holds = new Function("s", `return (${done})(s);`);
              window.observed = new Promise((resolve, reject) => {
                const timer = setTimeout(() => reject(new Error("not seen within 60 s: " + done)), 60000);
                new MutationObserver((_, observer) => {
                  if (!holds(s)) return;
                  observer.disconnect();
                  clearTimeout(timer);
                  resolve(true);
                }).observe(s, { childList: true, characterData: true, attributes: true, subtree: true });
              });
            }
            """, new[] { section, done });
        await button.ClickAsync();
        await page.EvaluateAsync("() => window.observed");
    }

    [Fact]
    public async Task Start_a_generation_and_see_the_text_arrive()
    {
        var page = await OpenAsync();
        var section = page.Locator("section.model[data-model=shakespeare]");
        await section.Locator("input[name=max_tokens]").FillAsync("3000");
        await section.Locator("input[name=seed]").FillAsync("7");
        // Record the text's length at every batch of changes of the section, and count the changes
        // of the generated text itself: the page appends each streamed token as it is parsed, so a
        // fast machine may deliver (and batch) many tokens at once, but every one is its own change.
        await page.EvaluateAsync("""
            () => {
              window.generatedLengths = [];
              window.generatedUpdates = 0;
              const s = document.querySelector('section[data-model=shakespeare]');
              new MutationObserver(records => {
                window.generatedUpdates += records.filter(r => r.target.classList?.contains('generated')).length;
                window.generatedLengths.push(s.querySelector('.generated')?.textContent.length ?? 0);
              }).observe(s, { childList: true, characterData: true, subtree: true });
            }
            """);
        await section.Locator("button.run").ClickAsync();
        var clock = Stopwatch.StartNew();
        int[] lengths = [];
        while (clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            lengths = await page.EvaluateAsync<int[]>("() => window.generatedLengths");
            if (lengths.Length > 0 && lengths[^1] == 3000) break;
            await Task.Delay(50);
        }
        Assert.Equal(3000, lengths[^1]);
        // It arrived token by token (streamed), not as one text at the end.
        Assert.True(await page.EvaluateAsync<int>("() => window.generatedUpdates") > 100);
        await page.WaitForFunctionAsync("() => document.querySelector('section[data-model=shakespeare] .status').textContent.includes('characters')");
        using var http = new HttpClient();
        var whole = JsonNode.Parse(await (await http.PostAsync(_url + "/v1/models/shakespeare:predict",
            TestServe.Json("""{"prime": "ROMEO:", "max_tokens": 3000, "seed": 7, "temperature": 0.8, "top_k": 0, "stream": false}"""))).Content.ReadAsStringAsync())!;
        Assert.Equal(whole["text"]!.GetValue<string>(), await section.Locator(".generated").TextContentAsync());
        await section.Locator("input[name=max_tokens]").FillAsync("400");
        await section.Locator("button.run").ClickAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('section[data-model=shakespeare] .generated').textContent.length === 400");
        await Screenshot(page, "serve-generation.png", section);
    }

    [Fact]
    public async Task Open_a_running_training_and_see_the_chart_grow()
    {
        using var stop = new CancellationTokenSource();
        var run = Path.Combine(_runs, "charlm-live");
        var training = Task.Run(() => CliApp.Run(["charlm", "train", "--text", models.Play, "--units", "16", "--layers", "1", "--embedding", "8",
            "--minutes", "2", "--eval-every", "5", "--seq", "20", "--batch", "8", "--out", run, "--quiet"], TextWriter.Null, TextWriter.Null, stop.Token));
        try
        {
            var page = await OpenAsync("#runs");
            var row = page.Locator("table.runs tr[data-run='charlm-live.partial']");
            await row.WaitForAsync(new() { Timeout = 60_000 });
            await row.ClickAsync();
            var loss = page.Locator("svg.chart polyline[data-series=loss]");
            await loss.WaitForAsync(new() { Timeout = 60_000 });
            int first = int.Parse((await loss.GetAttributeAsync("data-points"))!, System.Globalization.CultureInfo.InvariantCulture);
            await page.WaitForFunctionAsync($"() => +document.querySelector('svg.chart polyline[data-series=loss]').dataset.points > {first + 2}", null, new() { Timeout = 90_000 });
            Assert.Contains("training", await page.Locator(".run-title").InnerTextAsync(), StringComparison.Ordinal);
            await Screenshot(page, "serve-training.png");
            // Stopped, the run completes under its final name, and the monitor follows it there.
            stop.Cancel();
            Assert.Equal(0, await training);
            await page.WaitForFunctionAsync("() => document.querySelector('.run-title').textContent.startsWith('charlm-live · charlm · complete')", null, new() { Timeout = 60_000 });
        }
        finally
        {
            stop.Cancel();
            await training;
        }
    }

    /// <summary>Saves a screenshot beside the test results, and into docs/ when RECUR_UPDATE_DOCS=1.</summary>
    private static async Task Screenshot(IPage page, string name, ILocator? part = null)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "screenshots", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (part is null) await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        else await part.ScreenshotAsync(new() { Path = path });
        Assert.True(new FileInfo(path).Length > 1000);
        if (Environment.GetEnvironmentVariable("RECUR_UPDATE_DOCS") == "1")
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Recur.slnx"))) dir = dir.Parent;
            if (dir is not null) File.Copy(path, Path.Combine(dir.FullName, "docs", name), overwrite: true);
        }
    }
}
