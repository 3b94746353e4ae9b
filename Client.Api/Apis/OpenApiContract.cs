using Ledger.Grains.Interfaces;
using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;

namespace Ledger.Client.Api.Apis;

/// <summary>
/// What the OpenAPI document says beyond what the endpoints' signatures tell it, so that a client generated
/// from it follows API.md: the bearer token the authorized endpoints take, and the Idempotency-Key header a
/// purchase requires.
/// </summary>
public static class OpenApiContract
{
    /// <summary>The security scheme's name in the document's components.</summary>
    public const string BearerScheme = "bearer";

    public static IServiceCollection AddLedgerOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = "A JWT signed with the gateway's key, with the citizen (or teller) id as its subject and "
                        + "role admin or teller where needed; `./ledger token --sub ID [--role admin|teller]` prints one.",
                };
                AddPlainEndpoints(document);
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>().Any())
                {
                    operation.Security ??= [];
                    operation.Security.Add(new OpenApiSecurityRequirement
                    {
                        [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [],
                    });
                }

                foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
                {
                    if (parameter is { In: ParameterLocation.Header, Name: RequestChecks.IdempotencyKeyHeader })
                    {
                        parameter.Required = true;
                        parameter.Description = "The caller's key for this purchase: the same key with the same body gets "
                            + "the first answer again and buys nothing twice; with another body, 422. A teller's key is the "
                            + "teller's, whichever citizen it names.";
                        parameter.Schema = new OpenApiSchema
                        {
                            Type = JsonSchemaType.String,
                            MinLength = 1,
                            MaxLength = CitizenIds.IdempotencyKeyLengthMax,
                            Pattern = "^" + CitizenIds.IdempotencyKeyCharacters + "+$",
                        };
                    }
                }

                return Task.CompletedTask;
            });
        });

    /// <summary>
    /// The endpoints that are not route handlers, so that the endpoint explorer does not see them: health
    /// (HealthApi) and metrics (GatewayMetrics).
    /// </summary>
    private static void AddPlainEndpoints(OpenApiDocument document)
    {
        document.Paths ??= [];
        document.Paths["/health/live"] = Get("Health", "The process is up.", "Live.");
        document.Paths["/health/ready"] = Get(
            "Health", "The gateway reaches the cluster and the database.",
            "Ready.", ("503", "Not ready: a problem naming what is unreachable, with Retry-After."));
        document.Paths["/metrics"] = Get(
            "Metrics", "Prometheus text format; served on the operator port or loopback only.",
            "The metrics.", ("404", "Not on loopback."));
    }

    private static OpenApiPathItem Get(string tag, string summary, string ok, params (string Status, string Description)[] others)
    {
        var responses = new OpenApiResponses
        {
            ["200"] = new OpenApiResponse
            {
                Description = ok,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["text/plain"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
                },
            },
        };
        foreach (var (status, description) in others)
        {
            responses[status] = new OpenApiResponse { Description = description };
        }

        return new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new()
                {
                    Summary = summary,
                    Tags = new HashSet<OpenApiTagReference> { new(tag) },
                    Responses = responses,
                },
            },
        };
    }
}
