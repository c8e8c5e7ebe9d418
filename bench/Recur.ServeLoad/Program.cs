using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

// A bounded load on a recur serve endpoint on loopback: N concurrent clients, each sending its next
// request as soon as the last is answered, for a fixed time. Prints one line of throughput,
// latency percentiles and errors, and writes the first answer to every input to --answers so the
// caller can check them against the recur command line.
//
//   classify: POST {"text": LINE}                             → label, probability
//   generate: POST {"prime": LINE, "max_tokens", "seed": i}   → the generated text (read as server-sent events)
//   health:   GET /healthz (no model work: the ceiling of HTTP on loopback, this client included, for the others)

var o = Args.Parse(args);
var inputs = File.ReadAllLines(o.Inputs).Where(l => l.Length > 0).ToArray();
if (inputs.Length == 0) throw new ArgumentException($"--inputs {o.Inputs}: no lines.");
if (!o.Url.StartsWith("http://127.", StringComparison.Ordinal) && !o.Url.StartsWith("http://localhost", StringComparison.Ordinal))
    throw new ArgumentException($"--url {o.Url}: the load client only targets loopback.");

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = o.Clients + 1, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
{
    Timeout = TimeSpan.FromSeconds(120),
};
var answers = new string?[inputs.Length];
var latencies = new List<double>[o.Clients];
long errors = 0, next = -1, tokens = 0;
string? firstError = null;
var deadline = Stopwatch.GetTimestamp() + (long)(o.Seconds * Stopwatch.Frequency);
var clock = Stopwatch.StartNew();

await Task.WhenAll(Enumerable.Range(0, o.Clients).Select(async c =>
{
    var mine = latencies[c] = new List<double>();
    while (Stopwatch.GetTimestamp() < deadline && (o.Requests is null || Interlocked.Read(ref next) + 1 < o.Requests))
    {
        long n = Interlocked.Increment(ref next);
        int i = (int)(n % inputs.Length);
        long start = Stopwatch.GetTimestamp();
        try
        {
            string answer = o.Kind switch
            {
                "classify" => await ClassifyAsync(inputs[i]),
                "generate" => await GenerateAsync(inputs[i], i),
                _ => await HealthAsync(),
            };
            mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            answers[i] ??= answer;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or InvalidDataException or JsonException)
        {
            Interlocked.Increment(ref errors);
            Interlocked.CompareExchange(ref firstError, e.Message, null!);
        }
    }
}));
double seconds = clock.Elapsed.TotalSeconds;
var all = latencies.SelectMany(l => l).Order().ToArray();
double P(double q) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)Math.Ceiling(q * all.Length) - 1)];
var inv = CultureInfo.InvariantCulture;
string line = string.Format(inv, "{0,-9} {1,-10} clients {2,4}  requests {3,7}  errors {4,3}  {5,9:0.0} req/s", o.Kind, o.Label, o.Clients, all.Length, errors, all.Length / seconds)
    + (o.Kind == "generate" ? string.Format(inv, "  {0,9:0} chars/s", tokens / seconds) : "")
    + string.Format(inv, "  p50 {0,8:0.0} ms  p99 {1,8:0.0} ms", P(0.5), P(0.99));
Console.WriteLine(line);
if (firstError is not null) Console.Error.WriteLine($"first error: {firstError}");
if (o.Answers is not null)
    File.WriteAllLines(o.Answers, inputs.Select((t, i) => answers[i] is { } a ? $"{i}\t{a}" : null).OfType<string>());
return errors == 0 ? 0 : 1;

async Task<string> ClassifyAsync(string text)
{
    var body = new JsonObject { ["text"] = text }.ToJsonString();
    using var response = await http.PostAsync($"{o.Url}/v1/models/{o.Model}:predict", new StringContent(body, Encoding.UTF8, "application/json"));
    var json = await response.Content.ReadAsStringAsync();
    if (response.StatusCode != HttpStatusCode.OK) throw new HttpRequestException($"{(int)response.StatusCode}: {json}");
    var a = JsonNode.Parse(json)!;
    return $"{a["label"]!.GetValue<string>()}\t{a["probability"]!.GetValue<double>().ToString("0.0000", CultureInfo.InvariantCulture)}";
}

async Task<string> HealthAsync()
{
    using var response = await http.GetAsync($"{o.Url}/healthz");
    var json = await response.Content.ReadAsStringAsync();
    if (response.StatusCode != HttpStatusCode.OK) throw new HttpRequestException($"{(int)response.StatusCode}: {json}");
    return JsonNode.Parse(json)!["status"]!.GetValue<string>();
}

async Task<string> GenerateAsync(string prime, int i)
{
    var body = new JsonObject { ["prime"] = prime, ["max_tokens"] = o.MaxTokens, ["seed"] = i + 1, ["temperature"] = 0.8 }.ToJsonString();
    using var request = new HttpRequestMessage(HttpMethod.Post, $"{o.Url}/v1/models/{o.Model}:predict") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    if (response.StatusCode != HttpStatusCode.OK) throw new HttpRequestException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
    string? ev = null;
    while (await reader.ReadLineAsync() is { } l)
    {
        if (l.StartsWith("event: ", StringComparison.Ordinal)) ev = l[7..];
        else if (l.StartsWith("data: ", StringComparison.Ordinal) && ev == "done")
        {
            var done = JsonNode.Parse(l[6..])!;
            int n = done["tokens"]!.GetValue<int>();
            if (n != o.MaxTokens) throw new InvalidDataException($"{n} of {o.MaxTokens} characters ({done["finish_reason"]})");
            Interlocked.Add(ref tokens, n);
            return JsonSerializer.Serialize(done["text"]!.GetValue<string>()); // one line, escaped
        }
    }
    throw new InvalidDataException("the event stream ended without a done event");
}

internal sealed record Args(string Url, string Model, string Kind, int Clients, double Seconds, long? Requests, string Inputs, int MaxTokens, string? Answers, string Label)
{
    public static Args Parse(string[] args)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"expected --name value pairs; got '{args[i]}'.");
            map[args[i][2..]] = args[i + 1];
        }
        string Get(string k, string? d = null) => map.TryGetValue(k, out var v) ? v : d ?? throw new ArgumentException($"--{k} is required.");
        var kind = Get("kind");
        if (kind is not ("classify" or "generate" or "health")) throw new ArgumentException($"--kind is '{kind}'; expected classify, generate or health.");
        int clients = int.Parse(Get("clients", "1"), CultureInfo.InvariantCulture);
        double seconds = double.Parse(Get("seconds", "10"), CultureInfo.InvariantCulture);
        if (clients < 1 || clients > 1024) throw new ArgumentException($"--clients is {clients}; expected 1 to 1024.");
        if (!(seconds > 0 && seconds <= 600)) throw new ArgumentException($"--seconds is {seconds}; expected (0, 600].");
        return new Args(Get("url").TrimEnd('/'), Get("model"), kind, clients, seconds,
            map.TryGetValue("requests", out var r) ? long.Parse(r, CultureInfo.InvariantCulture) : null,
            Get("inputs"), int.Parse(Get("max-tokens", "64"), CultureInfo.InvariantCulture), map.GetValueOrDefault("answers"), Get("label", ""));
    }
}
