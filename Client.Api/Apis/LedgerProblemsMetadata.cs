namespace Ledger.Client.Api.Apis;

/// <summary>The answers every authenticated ledger endpoint may give besides its own, for the OpenAPI document.</summary>
public static class LedgerProblemsMetadata
{
    public static RouteHandlerBuilder WithLedgerProblems(this RouteHandlerBuilder endpoint) => endpoint
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
