using Ledger.Client.Api.Contracts;

namespace Ledger.Client.Api.Apis;

/// <summary>The problem answers of the ledger's endpoints, for the OpenAPI document, each with the body it has.</summary>
public static class LedgerProblemsMetadata
{
    public const string ProblemJson = "application/problem+json";

    /// <summary>A problem answer with the body <typeparamref name="TBody"/>.</summary>
    public static RouteHandlerBuilder ProducesLedgerProblem<TBody>(this RouteHandlerBuilder endpoint, int status) =>
        endpoint.Produces<TBody>(status, ProblemJson);

    /// <summary>400 naming each malformed field.</summary>
    public static RouteHandlerBuilder ProducesInvalid(this RouteHandlerBuilder endpoint) =>
        endpoint.ProducesLedgerProblem<ValidationProblemBody>(StatusCodes.Status400BadRequest);

    /// <summary>404 <c>not-found</c>.</summary>
    public static RouteHandlerBuilder ProducesNotFound(this RouteHandlerBuilder endpoint) =>
        endpoint.ProducesLedgerProblem<CodedProblemBody>(StatusCodes.Status404NotFound);

    /// <summary>
    /// What every endpoint behind the cluster's readiness filter may answer: 503 <c>unavailable</c> with Retry-After
    /// while the gateway cannot reach the ledger or is at capacity.
    /// </summary>
    public static RouteHandlerBuilder WithLedgerProblems(this RouteHandlerBuilder endpoint) =>
        endpoint.ProducesLedgerProblem<CodedProblemBody>(StatusCodes.Status503ServiceUnavailable);

    /// <summary>401 without a valid token; with <paramref name="forbidden"/>, 403 for a token whose role or subject the call does not allow.</summary>
    public static RouteHandlerBuilder WithAuthProblems(this RouteHandlerBuilder endpoint, bool forbidden)
    {
        endpoint.ProducesLedgerProblem<ProblemBody>(StatusCodes.Status401Unauthorized);
        return forbidden ? endpoint.ProducesLedgerProblem<ProblemBody>(StatusCodes.Status403Forbidden) : endpoint;
    }

    /// <summary>413 for a body over <see cref="Program.BodyBytesMax"/> bytes, 415 for one that is not JSON.</summary>
    public static RouteHandlerBuilder WithBodyProblems(this RouteHandlerBuilder endpoint) => endpoint
        .ProducesLedgerProblem<ProblemBody>(StatusCodes.Status413PayloadTooLarge)
        .ProducesLedgerProblem<ProblemBody>(StatusCodes.Status415UnsupportedMediaType);

    /// <summary>429 with Retry-After from the per-client rate limit.</summary>
    public static RouteHandlerBuilder WithRateLimit(this RouteHandlerBuilder endpoint) =>
        endpoint.ProducesLedgerProblem<ProblemBody>(StatusCodes.Status429TooManyRequests);
}
