using Ledger.Client.Api.Queue;
using Ledger.Grains.Interfaces;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Ledger.Client.Api.Apis;

/// <summary>
/// The OpenAPI document at <c>/openapi/v1.json</c>, kept to API.md: its introduction and sections, the bearer token,
/// the route and header parameters' patterns, the headers that answers carry, and the bodies' rules
/// (<see cref="OpenApiSchemas"/>). The endpoints' own metadata (Produces, summaries) says which answers each gives.
/// </summary>
public static class OpenApiContract
{
    public const string Title = "Ledger voucher API";

    /// <summary>The security scheme's name in the document's components.</summary>
    public const string BearerScheme = "bearer";

    public const string ProgramsTag = "Programs";
    public const string PurchasesTag = "Purchases";
    public const string CitizensTag = "Citizens";
    public const string SalesTag = "Sales";
    public const string HealthTag = "Health";
    public const string MetricsTag = "Metrics";

    private const string IntroductionResource = "Ledger.Client.Api.Apis.OpenApiIntroduction.md";

    /// <summary>The sections of the reference, in order, with what each is about.</summary>
    private static readonly (string Name, string Description)[] Tags =
    [
        (ProgramsTag, "A program-month's sale: its policy, live state, ledger, audit and reconciliation."),
        (PurchasesTag, "Buying vouchers, reading a purchase and cancelling it."),
        (CitizensTag, "What a citizen has bought in a program-month, and what remains of their limit."),
        (SalesTag, "The public live sales page and its feed, and a citizen's buy page."),
        (HealthTag, "Liveness and readiness, for load balancers and orchestrators."),
        (MetricsTag, "Prometheus metrics, on loopback or the operator port."),
    ];

    /// <summary>Route and query parameters by name: their schema and what they are.</summary>
    private static readonly Dictionary<string, (Func<OpenApiSchema> Schema, string Description)> Parameters = new()
    {
        ["programId"] = (() => Text(OpenApiSchemas.ProgramIdPattern), "The program, e.g. `chuncheon`."),
        ["month"] = (() => Text(OpenApiSchemas.MonthPattern), "The sales month, `yyyy-MM` (a calendar month in KST)."),
        ["purchaseId"] = (() => Text(OpenApiSchemas.PurchaseIdPattern), "The purchase, as a purchase's `purchaseId` gives it."),
        ["after"] = (() => Whole(), "The sequence after which the page starts (exclusive); 0 by default."),
        ["limit"] = (() => Whole(), "At most this many entries (100 by default, clamped to 1..1000)."),
        ["program"] = (() => Text(OpenApiSchemas.ProgramIdPattern), "Only this program."),
        [RequestChecks.IdempotencyKeyHeader] = (
            () => new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                MinLength = 1,
                MaxLength = CitizenIds.IdempotencyKeyLengthMax,
                Pattern = "^" + CitizenIds.IdempotencyKeyCharacters + "+$",
            },
            "The caller's key for this purchase: the same key with the same body gets the first answer again and buys "
            + "nothing twice; with another body, 422. A teller's key is the teller's, whichever citizen it names."),
        [QueueTickets.Header] = (
            () => new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = QueueTickets.LengthMax },
            "The ticket a queued answer (429 `queued`) gave, sent back with the same request to keep the place."),
    };

    public static IServiceCollection AddLedgerOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                Describe(document);
                AddPlainEndpoints(document);
                OpenApiSchemas.Finish(document);
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                Secure(operation, context);
                DescribeParameters(operation);
                DescribeHeaders(operation, context.Document!);
                return Task.CompletedTask;
            });
            options.AddSchemaTransformer(OpenApiSchemas.TransformAsync);
        });

    /// <summary>
    /// The API reference at <c>/scalar/v1</c>, titled for the API, with only what reading and trying it needs: no
    /// developer toolbar, no AI agent or MCP offer, no button to open Scalar's own client, no telemetry.
    /// </summary>
    public static IEndpointRouteBuilder MapLedgerApiReference(this IEndpointRouteBuilder app)
    {
        app.MapScalarApiReference(scalar =>
        {
            scalar.Title = Title;
            scalar.ShowDeveloperTools = DeveloperToolsVisibility.Never;
            scalar.HideClientButton = true;
            scalar.Telemetry = false;
            scalar.Agent = new ScalarAgentOptions { Disabled = true };
            scalar.Mcp = new ScalarMcpOptions { Disabled = true };
        });
        return app;
    }

    private static void Describe(OpenApiDocument document)
    {
        document.Info = new OpenApiInfo
        {
            Title = Title,
            Version = "v1",
            Description = EmbeddedPage.Read(IntroductionResource),
        };
        document.Tags = new HashSet<OpenApiTag>(Tags.Select(t => new OpenApiTag { Name = t.Name, Description = t.Description }));
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
    }

    private static void Secure(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>().Any())
        {
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [],
            });
        }
    }

    private static void DescribeParameters(OpenApiOperation operation)
    {
        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
        {
            if (parameter.Name is { } name && Parameters.TryGetValue(name, out var known))
            {
                parameter.Schema = known.Schema();
                parameter.Description = known.Description;
                parameter.Required |= name == RequestChecks.IdempotencyKeyHeader;
            }
        }
    }

    /// <summary>
    /// The headers answers carry: Location on a purchase made or pending, Retry-After on every 429 and 503, and on a
    /// purchase's 429 the Queue-Ticket of the waiting room, whose body is then <c>queued</c>, or else the rate limit's.
    /// </summary>
    private static void DescribeHeaders(OpenApiOperation operation, OpenApiDocument document)
    {
        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (response is not OpenApiResponse answer)
            {
                continue;
            }

            answer.Headers ??= new Dictionary<string, IOpenApiHeader>();
            switch (status)
            {
                case "201" or "202":
                    answer.Headers["Location"] = Header("The purchase's address, `/purchases/{purchaseId}`.", required: true, Text(null));
                    break;
                case "429" or "503":
                    answer.Headers["Retry-After"] = Header("Seconds to wait before asking again.", required: true, Whole());
                    break;
            }

            if (status == "429" && answer.Content?.TryGetValue(LedgerProblemsMetadata.ProblemJson, out var problem) == true
                && problem.Schema is OpenApiSchemaReference { Reference.Id: nameof(Contracts.QueuedBody) } queued)
            {
                answer.Description = "Queued in the waiting room (`queued`), or over the citizen's rate.";
                answer.Headers[QueueTickets.Header] = Header("The place in the waiting room, when queued.", required: false, Text(null));
                problem.Schema = new OpenApiSchema { AnyOf = [queued, new OpenApiSchemaReference(nameof(Contracts.ProblemBody), document)] };
            }
        }
    }

    private static OpenApiHeader Header(string description, bool required, OpenApiSchema schema) =>
        new() { Description = description, Required = required, Schema = schema };

    private static OpenApiSchema Text(string? pattern) => new() { Type = JsonSchemaType.String, Pattern = pattern };

    private static OpenApiSchema Whole() => new() { Type = JsonSchemaType.Integer, Format = "int64", Minimum = "0" };

    /// <summary>
    /// The endpoints that are not route handlers, so that the endpoint explorer does not see them: health
    /// and metrics (ServiceDefaultsExtensions.MapDefaultEndpoints).
    /// </summary>
    private static void AddPlainEndpoints(OpenApiDocument document)
    {
        document.Paths ??= [];
        document.Paths["/health/live"] = Get(
            document, HealthTag, "Liveness", "200 `live` while the process is up and no lasting failure has struck it.", "live");
        document.Paths["/health/ready"] = Get(
            document, HealthTag, "Readiness", "200 `ready` when a purchase sent through the gateway's own pipeline gets the "
            + "ledger's answer: it reaches the cluster and the database.", "ready");
        document.Paths["/metrics"] = Get(
            document, MetricsTag, "Prometheus metrics", "Prometheus text format; served on loopback (or the operator port) only, "
            + "404 elsewhere.", null);
    }

    private static OpenApiPathItem Get(OpenApiDocument document, string tag, string summary, string description, string? word)
    {
        var text = word is null ? Text(null) : new OpenApiSchema { Type = JsonSchemaType.String, Enum = [System.Text.Json.Nodes.JsonValue.Create(word)] };
        var responses = new OpenApiResponses
        {
            ["200"] = new OpenApiResponse
            {
                Description = "OK",
                Content = new Dictionary<string, OpenApiMediaType> { ["text/plain"] = new() { Schema = text } },
            },
        };
        var failure = word is null ? ("404", "Not on loopback.") : ("503", "Not " + word + ": a problem naming what fails.");
        responses[failure.Item1] = new OpenApiResponse
        {
            Description = failure.Item2,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [LedgerProblemsMetadata.ProblemJson] = new() { Schema = new OpenApiSchemaReference(nameof(Contracts.CodedProblemBody), document) },
            },
            Headers = word is null
                ? null
                : new Dictionary<string, IOpenApiHeader> { ["Retry-After"] = Header("Seconds to wait before asking again.", required: true, Whole()) },
        };
        return new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new()
                {
                    Summary = summary,
                    Description = description,
                    Tags = new HashSet<OpenApiTagReference> { new(tag, document) },
                    Responses = responses,
                },
            },
        };
    }
}
