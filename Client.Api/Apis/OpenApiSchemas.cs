using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Ledger.Client.Api.Contracts;
using Ledger.Grains.Interfaces;
using Ledger.Sale;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Ledger.Client.Api.Apis;

/// <summary>
/// What API.md says of the bodies beyond their C# types, applied to the document's schemas: instants are strings,
/// names are enums of exactly the values the gateway writes, figures have their bounds, and a field is required
/// and never null where the contract says so. The request bodies' C# fields are nullable only so that a missing
/// one is named in a 400 (RequestChecks); on the wire none of them is null.
/// </summary>
public static class OpenApiSchemas
{
    /// <summary>A program id, as <see cref="ProgramMonth.IsValidProgramId"/> takes it.</summary>
    public const string ProgramIdPattern = "^[a-z0-9-]{1,40}$";

    /// <summary>A month <c>yyyy-MM</c> of the years 1000 to 9998, as <see cref="ProgramMonth.IsValidMonth"/> takes it.</summary>
    public const string MonthPattern = "^(?!9999)[1-9][0-9]{3}-(0[1-9]|1[0-2])$";

    /// <summary>A purchase id as <see cref="PurchaseIds.Format"/> makes it: program, month and sequence (from 1).</summary>
    public const string PurchaseIdPattern = "^[a-z0-9-]{1,40}\\.(?!9999)[1-9][0-9]{3}-(0[1-9]|1[0-2])\\.[1-9][0-9]{0,18}$";

    public const string CitizenIdPattern = "^[A-Za-z0-9_-]{1,64}$";

    /// <summary>The types whose every field is required and never null (the lax request bodies, and what answers echo of them).</summary>
    private static readonly Dictionary<Type, string[]> RequiredFields = new()
    {
        [typeof(PurchaseRequestBody)] = ["channel", "amount"],
        [typeof(PolicyChangeBody)] = ["opensAt", "discountBps", "citizenMonthlyLimit", "unit", "caps"],
        [typeof(PolicyBody)] = ["opensAt", "discountBps", "citizenMonthlyLimit", "unit", "caps"],
        [typeof(CapsBody)] = ["mobile", "paper"],
        [typeof(CohortBody)] = ["birthYears", "opensAt"],
    };

    private static readonly Dictionary<(Type Type, string Property), Action<OpenApiSchema>> Fields = new()
    {
        [(typeof(PurchaseRequestBody), "channel")] = s => Enum(s, ChannelNamesOf()),
        [(typeof(PurchaseRequestBody), "amount")] = s => Minimum(s, 1),
        [(typeof(PurchaseRequestBody), "citizenId")] = s => Describe(Pattern(s, CitizenIdPattern),
            "The citizen a teller sells to: tellers only, and required of them. A citizen buys for the token's subject and sends none."),
        [(typeof(PolicyBody), "discountBps")] = DiscountBps,
        [(typeof(PolicyChangeBody), "discountBps")] = DiscountBps,
        [(typeof(PolicyBody), "citizenMonthlyLimit")] = s => Minimum(s, 1),
        [(typeof(PolicyChangeBody), "citizenMonthlyLimit")] = s => Minimum(s, 1),
        [(typeof(PolicyBody), "unit")] = s => Minimum(s, 1),
        [(typeof(PolicyChangeBody), "unit")] = s => Minimum(s, 1),
        [(typeof(CapsBody), "mobile")] = s => Minimum(s, 0),
        [(typeof(CapsBody), "paper")] = s => Minimum(s, 0),
        [(typeof(PolicyBody), "cohorts")] = Cohorts,
        [(typeof(PolicyChangeBody), "cohorts")] = Cohorts,
        [(typeof(PolicyBody), "preQueueMinutes")] = PreQueueMinutes,
        [(typeof(PolicyChangeBody), "preQueueMinutes")] = PreQueueMinutes,
        [(typeof(PolicyBody), "holdSeconds")] = HoldSeconds,
        [(typeof(PolicyChangeBody), "holdSeconds")] = HoldSeconds,
        // An answer names the payment only when there is one; a change may say "none".
        [(typeof(PolicyBody), "payment")] = s => Enum(s, ["account"]),
        [(typeof(ProgramMonthStateBody), "payment")] = s => Enum(s, ["account"]),
        [(typeof(PolicyChangeBody), "payment")] = s => Enum(s, ["none", "account"]),
        [(typeof(PurchaseBody), "channel")] = s => Enum(s, ChannelNamesOf()),
        [(typeof(PurchaseBody), "status")] = s => Enum(s, System.Enum.GetValues<PurchaseStatus>().Select(LedgerResults.StatusName)),
        [(typeof(PurchaseBody), "refund")] = s => Enum(s, System.Enum.GetValues<RefundState>().Select(LedgerResults.RefundName)),
        [(typeof(PurchaseBody), "purchaseId")] = s => Pattern(s, PurchaseIdPattern),
        [(typeof(PurchaseBody), "programId")] = s => Pattern(s, ProgramIdPattern),
        [(typeof(PurchaseBody), "month")] = s => Pattern(s, MonthPattern),
        [(typeof(PurchaseBody), "citizenId")] = s => Pattern(s, CitizenIdPattern),
        [(typeof(LedgerEntryBody), "kind")] = s => Enum(s, System.Enum.GetValues<LedgerEntryKind>().Select(LedgerResults.KindName)),
        [(typeof(LedgerEntryBody), "channel")] = s => Enum(s, ChannelNamesOf()),
        [(typeof(ProgramMonthStateBody), "status")] = s => Enum(s, System.Enum.GetValues<SaleStatus>().Select(LedgerResults.StatusName)),
        [(typeof(ChannelStateBody), "status")] = s => Enum(s, System.Enum.GetValues<SaleStatus>().Select(LedgerResults.StatusName)),
        [(typeof(PurchaseRejectionBody), "code")] = s => Enum(s, ["not-open", "closed", "limit-exceeded", "sold-out"]),
        [(typeof(CancelRejectionBody), "code")] = s => Enum(s, ["cancel-window-passed", "payment-pending", "voided"]),
        [(typeof(PolicyRejectionBody), "code")] = s => Enum(s, ["cap-below-sold", "limit-below-used", "confirm-required"]),
        [(typeof(PolicyRejectionBody), "channel")] = s => Enum(s, ChannelNamesOf()),
        [(typeof(PaymentDeclinedBody), "code")] = s => Enum(s, ["payment-declined"]),
        [(typeof(QueuedBody), "code")] = s => Enum(s, ["queued"]),
        [(typeof(CodedProblemBody), "code")] = s => Enum(s, ["not-found", "idempotency-conflict", "unavailable"]),
    };

    public static Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) ?? context.JsonTypeInfo.Type;
        if (type == typeof(DateTimeOffset))
        {
            // The gateway's own converter writes them (StrictInstantConverter), so the generator knows only the format.
            schema.Type = JsonSchemaType.String;
            schema.Format = "date-time";
        }

        if (context.JsonPropertyInfo is { } property)
        {
            var declaring = property.DeclaringType;
            // Left out when null, so present only with a value; and every field of a lax request body is non-null.
            if (IsOmittedWhenNull(property) || RequiredFields.ContainsKey(declaring))
            {
                NotNull(schema);
            }

            if (Fields.TryGetValue((declaring, property.Name), out var rule))
            {
                rule(schema);
            }
        }
        else if (RequiredFields.TryGetValue(type, out var required))
        {
            schema.Required = new HashSet<string>(required);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// What the schema transformer cannot reach, since the generator wraps references only after it: a request body
    /// is required and never null, a required body field that is another body is never null, and a cohort's birth
    /// years (kept as JSON in C#) have their two shapes.
    /// </summary>
    public static void Finish(OpenApiDocument document)
    {
        var schemas = document.Components?.Schemas ?? new Dictionary<string, IOpenApiSchema>();
        foreach (var type in RequiredFields.Keys)
        {
            if (schemas.TryGetValue(type.Name, out var schema) && schema is OpenApiSchema { Properties: { } properties })
            {
                foreach (var (name, property) in properties.ToArray())
                {
                    properties[name] = WithoutNull(property);
                }
            }
        }

        if (schemas.TryGetValue(nameof(CohortBody), out var cohort) && cohort.Properties is { } cohortProperties)
        {
            cohortProperties["birthYears"] = BirthYears();
            schemas.Remove("JsonElement");
        }

        foreach (var operation in document.Paths.Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []))
        {
            if (operation.RequestBody is OpenApiRequestBody { Content: { } content } body)
            {
                body.Required = true;
                foreach (var media in content.Values)
                {
                    media.Schema = media.Schema is null ? null : WithoutNull(media.Schema);
                }
            }
        }
    }

    /// <summary>A <c>oneOf</c> of null and one schema is that schema.</summary>
    private static IOpenApiSchema WithoutNull(IOpenApiSchema schema) =>
        schema is OpenApiSchema { OneOf: { Count: 2 } options } && options.Count(o => o.Type == JsonSchemaType.Null) == 1
            ? options.Single(o => o.Type != JsonSchemaType.Null)
            : schema;

    private static bool IsOmittedWhenNull(System.Text.Json.Serialization.Metadata.JsonPropertyInfo property) =>
        property.AttributeProvider?.GetCustomAttributes(typeof(JsonIgnoreAttribute), inherit: false)
            .OfType<JsonIgnoreAttribute>().Any(a => a.Condition == JsonIgnoreCondition.WhenWritingNull) == true;

    private static IEnumerable<string> ChannelNamesOf() => System.Enum.GetValues<Channel>().Select(c => c.ToName());

    private static void NotNull(OpenApiSchema schema)
    {
        if (schema.Type is { } type)
        {
            schema.Type = type & ~JsonSchemaType.Null;
        }
    }

    private static OpenApiSchema Enum(OpenApiSchema schema, IEnumerable<string> values)
    {
        schema.Type = JsonSchemaType.String;
        schema.Enum = values.Select(v => (JsonNode)JsonValue.Create(v)).ToList();
        return schema;
    }

    private static OpenApiSchema Minimum(OpenApiSchema schema, long minimum)
    {
        schema.Minimum = minimum.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return schema;
    }

    private static OpenApiSchema Maximum(OpenApiSchema schema, long maximum)
    {
        schema.Maximum = maximum.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return schema;
    }

    private static OpenApiSchema Pattern(OpenApiSchema schema, string pattern)
    {
        schema.Pattern = pattern;
        return schema;
    }

    private static OpenApiSchema Describe(OpenApiSchema schema, string description)
    {
        schema.Description = description;
        return schema;
    }

    private static void DiscountBps(OpenApiSchema schema) => Maximum(Minimum(schema, 0), Policy.BasisPointsPerWhole - 1);

    private static void PreQueueMinutes(OpenApiSchema schema) => Maximum(Minimum(schema, 0), Policy.PreQueueMinutesMax);

    private static void HoldSeconds(OpenApiSchema schema) => Maximum(Minimum(schema, 1), Policy.HoldSecondsMax);

    private static void Cohorts(OpenApiSchema schema) => schema.MaxItems = Policy.CohortsMax;

    /// <summary><c>"even"</c>, <c>"odd"</c>, or <c>{"from":Y,"to":Y}</c> with either bound.</summary>
    private static OpenApiSchema BirthYears() => new()
    {
        AnyOf =
        [
            new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("even"), JsonValue.Create("odd")] },
            new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                AdditionalPropertiesAllowed = false,
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["from"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
                    ["to"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
                },
            },
        ],
    };
}
