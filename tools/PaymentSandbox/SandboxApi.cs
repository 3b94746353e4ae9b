namespace Ledger.PaymentSandbox;

/// <summary>The sandbox's own endpoints for tests and drills (API.md): the faults, and a payer's figures.</summary>
public static class SandboxApi
{
    public static IEndpointRouteBuilder MapSandboxApi(this IEndpointRouteBuilder app)
    {
        var sandbox = app.MapGroup("/sandbox");
        sandbox.MapPut("/faults", (Faults faults, FaultPlayer player) =>
        {
            var errors = faults.Validate();
            if (errors.Count > 0)
            {
                return Results.ValidationProblem(errors.ToDictionary(e => e.Field, e => new[] { e.Message }));
            }

            player.Current = faults;
            return Results.Ok(faults);
        });
        sandbox.MapGet("/faults", (FaultPlayer player) => Results.Ok(player.Current));
        sandbox.MapGet("/payers/{citizenId}", async (string citizenId, SandboxStore store) =>
            Results.Ok(await store.PayerAsync(citizenId)));
        return app;
    }

    /// <summary>
    /// While the sandbox is down, every bank request is answered 503; otherwise each waits the latency in force.
    /// The sandbox's own endpoints stay up, so a drill can bring the bank back.
    /// </summary>
    public static IApplicationBuilder UseBankFaults(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/v2.0"))
            {
                var faults = context.RequestServices.GetRequiredService<FaultPlayer>();
                if (faults.IsDown)
                {
                    await Results.Problem(
                        statusCode: StatusCodes.Status503ServiceUnavailable, title: "The provider is down.").ExecuteAsync(context);
                    return;
                }

                await Task.Delay(faults.Latency(), context.RequestAborted);
            }

            await next(context);
        });
}
