// Every answer a purchase can get, as one type, so that the OpenAPI document takes 201, 202 and 400 from the
// handlers' signatures (LedgerResults.Purchase, WaitingRoomDesk, PurchasesApi.BuyAsync); the problems' bodies are
// declared beside each endpoint.
global using PurchaseAnswer = Microsoft.AspNetCore.Http.HttpResults.Results<
    Microsoft.AspNetCore.Http.HttpResults.Created<Ledger.Client.Api.Contracts.PurchaseBody>,
    Microsoft.AspNetCore.Http.HttpResults.Accepted<Ledger.Client.Api.Contracts.PurchaseBody>,
    Microsoft.AspNetCore.Http.HttpResults.ValidationProblem,
    Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult,
    Ledger.ServiceDefaults.WithHeaders>;
