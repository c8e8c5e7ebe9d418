using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Recur.Serve.Models;
using Recur.Serve.Tasks.Generate;

namespace Recur.Serve.Tests;

/// <summary>Stopping the server (Ctrl-C, SIGTERM) lets the requests in flight finish; new ones are no longer taken.</summary>
[Collection("served models")]
public sealed class ShutdownTests(TinyModels models)
{
    [Fact]
    public async Task A_generation_in_flight_finishes_when_the_server_stops()
    {
        var context = new ServeContext(new ServeOptions { Urls = "http://127.0.0.1:0" });
        var model = new SlowAlphabet();
        var served = new ServedModel(new ModelInfo("slow", "charlm", "stub", "prime", "text", true, new Dictionary<string, object?>()), new GenerateEndpoint("slow", model, context));
        var app = ServeApp.Build(context, [served], b => b.Logging.ClearProviders());
        await app.StartAsync();
        string url = app.Urls.First();
        using var http = new HttpClient();
        var request = new HttpRequestMessage(HttpMethod.Post, url + "/v1/models/slow:predict") { Content = TestServe.Json("""{"prime": "a", "max_tokens": 300, "seed": 1}""") };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line && !line.StartsWith("data:", StringComparison.Ordinal)) { } // the first token
        var stopping = app.StopAsync(); // as Ctrl-C does
        await Task.Delay(100);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.GetAsync(url + "/healthz")); // no new requests
        var rest = await reader.ReadToEndAsync();
        await stopping;
        var done = JsonNode.Parse(rest[(rest.LastIndexOf("data: ", StringComparison.Ordinal) + 6)..])!;
        Assert.Equal(300, done["tokens"]!.GetValue<int>());
        Assert.Equal("length", done["finish_reason"]!.GetValue<string>());
        Assert.True(model.Steps >= 300);
        await app.DisposeAsync();
    }

    [Fact]
    public async Task Sigterm_stops_recur_serve_with_exit_code_0_after_the_requests_in_flight()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Recur.Cli.dll"), "serve", "--model", $"lm={models.CharLm}", "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var server = Process.Start(start)!;
        try
        {
            var output = new System.Text.StringBuilder();
            var ready = new TaskCompletionSource();
            server.OutputDataReceived += (_, e) =>
            {
                lock (output) output.AppendLine(e.Data);
                if (e.Data?.StartsWith("serving lm", StringComparison.Ordinal) == true) ready.TrySetResult();
            };
            server.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
            server.BeginOutputReadLine();
            server.BeginErrorReadLine();
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));

            using var http = new HttpClient();
            var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}/v1/models/lm:predict") { Content = TestServe.Json("""{"prime": "ROMEO:", "max_tokens": 4096, "seed": 2}""") };
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            while (await reader.ReadLineAsync() is { } line && !line.StartsWith("data:", StringComparison.Ordinal)) { }
            using (var kill = Process.Start("kill", ["-TERM", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill!.WaitForExitAsync();
            var rest = await reader.ReadToEndAsync();
            var done = JsonNode.Parse(rest[(rest.LastIndexOf("data: ", StringComparison.Ordinal) + 6)..])!;
            Assert.Equal(4096, done["tokens"]!.GetValue<int>());
            await server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(server.ExitCode == 0, $"exit code {server.ExitCode}: {output}");
            lock (output) Assert.Contains("Application is shutting down", output.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            if (!server.HasExited) server.Kill();
        }
    }

    /// <summary>A two-letter "model" that takes 3 ms a step, so a generation is still running when the server stops.</summary>
    private sealed class SlowAlphabet : ICharacterModel
    {
        public int Steps;
        public string Alphabet => "ab";
        public object NewState() => 0;

        public IReadOnlyList<CharStep> Advance(IReadOnlyList<(object State, int Previous)> rows)
        {
            Thread.Sleep(3);
            Interlocked.Add(ref Steps, rows.Count);
            return rows.Select(r => new CharStep(r.State, [MathF.Log(0.5f), MathF.Log(0.5f)])).ToList();
        }

        public int Draw(ReadOnlySpan<float> logProbabilities, double temperature, int topK, SeededRandom random) => random.NextDouble() < 0.5 ? 0 : 1;
    }
}
