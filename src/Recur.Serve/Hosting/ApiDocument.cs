using System.Text;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Recur.Serve.Models;

namespace Recur.Serve.Hosting;

/// <summary>
/// Completes the OpenAPI document with what routing alone cannot say: the predict endpoint's body
/// and answer depend on the model's task, so each loaded task's request and answer types become
/// schemas (<c>classify_request</c>, <c>classify_response</c>, …) and the operation lists them as
/// alternatives, naming which model takes which.
/// </summary>
internal sealed class ApiDocument(ModelCatalog models) : IOpenApiDocumentTransformer
{
    public async Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Recur serve",
            Version = "v1",
            Description = "Recur models behind an HTTP API. Errors are RFC 9457 problem documents (application/problem+json) naming the field and the limit.",
        };
        var requests = new List<IOpenApiSchema>();
        var responses = new List<IOpenApiSchema>();
        var description = new StringBuilder("The body and answer depend on the model's task:\n");
        foreach (var task in models.All.GroupBy(m => m.Endpoint.Task))
        {
            var endpoint = task.First().Endpoint;
            document.AddComponent<IOpenApiSchema>($"{task.Key}_request", await context.GetOrCreateSchemaAsync(endpoint.RequestType, null, cancellationToken).ConfigureAwait(false));
            document.AddComponent<IOpenApiSchema>($"{task.Key}_response", await context.GetOrCreateSchemaAsync(endpoint.ResponseType, null, cancellationToken).ConfigureAwait(false));
            requests.Add(new OpenApiSchemaReference($"{task.Key}_request", document));
            responses.Add(new OpenApiSchemaReference($"{task.Key}_response", document));
            description.Append(System.Globalization.CultureInfo.InvariantCulture, $"- {task.Key} ({string.Join(", ", task.Select(m => m.Name))}): {task.Key}_request → {task.Key}_response\n");
        }
        if (document.Paths is null || !document.Paths.TryGetValue("/v1/models/{name}:predict", out var path) || path.Operations is null) return;
        if (!path.Operations.TryGetValue(HttpMethod.Post, out var operation) || requests.Count == 0) return;
        operation.Description = description.ToString();
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = new OpenApiSchema { OneOf = requests } } },
        };
        operation.Responses ??= new OpenApiResponses();
        operation.Responses["200"] = new OpenApiResponse
        {
            Description = "The task's answer (charlm: text/event-stream of token events and a done event, unless stream is false).",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = new OpenApiSchema { OneOf = responses } },
                ["text/event-stream"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
        };
    }
}
