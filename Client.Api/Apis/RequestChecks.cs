using System.Text.Json;
using Ledger.Client.Api.Contracts;
using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Client.Api.Apis;

/// <summary>Validation at the edge: a request that fails it reaches no grain and changes nothing.</summary>
public static class RequestChecks
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>Errors of the route's program id and month, by field; empty when both are valid.</summary>
    public static Dictionary<string, string[]> ProgramMonth(string programId, string month, out ProgramMonth programMonth)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Grains.Interfaces.ProgramMonth.IsValidProgramId(programId))
        {
            errors["programId"] = ["A program id is 1 to 40 of a-z, 0-9 and '-'."];
        }

        if (!Grains.Interfaces.ProgramMonth.IsValidMonth(month))
        {
            errors["month"] = ["A month is yyyy-MM."];
        }

        programMonth = errors.Count == 0 ? new ProgramMonth(programId, month) : default;
        return errors;
    }

    /// <summary>The cohorts in the body (null when there are none), or what is malformed, by field.</summary>
    private static Cohort[]? Cohorts(IReadOnlyList<CohortBody>? bodies, Dictionary<string, string[]> errors)
    {
        if (bodies is null)
        {
            return null;
        }

        var cohorts = new List<Cohort>();
        for (var i = 0; i < bodies.Count; i++)
        {
            var years = BirthYearsOf(bodies[i]?.BirthYears);
            if (years is null)
            {
                errors[$"cohorts[{i}].birthYears"] = ["Birth years are \"even\", \"odd\" or {\"from\":Y,\"to\":Y} (either bound optional)."];
            }

            if (bodies[i]?.OpensAt is not { } opensAt)
            {
                errors[$"cohorts[{i}].opensAt"] = ["This field is required."];
            }
            else if (years is not null)
            {
                cohorts.Add(new Cohort(years, opensAt));
            }
        }

        return cohorts.ToArray();
    }

    private static BirthYears? BirthYearsOf(JsonElement? json) => json switch
    {
        { ValueKind: JsonValueKind.String } s when s.GetString() == "even" => BirthYears.Even,
        { ValueKind: JsonValueKind.String } s when s.GetString() == "odd" => BirthYears.Odd,
        { ValueKind: JsonValueKind.Object } o when o.EnumerateObject().All(p =>
            p.Name is "from" or "to" && p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetInt32(out _)) =>
            BirthYears.Between(Year(o, "from"), Year(o, "to")),
        _ => null,
    };

    private static int? Year(JsonElement range, string bound) => range.TryGetProperty(bound, out var year) ? year.GetInt32() : null;

    /// <summary>The policy in the body, or what is missing or out of range, by field.</summary>
    public static Policy? Policy(PolicyBody? body, ProgramMonth programMonth, Dictionary<string, string[]> errors)
    {
        void Require(bool present, string field)
        {
            if (!present)
            {
                errors[field] = ["This field is required."];
            }
        }

        Require(body is not null, "body");
        Require(body?.OpensAt is not null, "opensAt");
        Require(body?.DiscountBps is not null, "discountBps");
        Require(body?.CitizenMonthlyLimit is not null, "citizenMonthlyLimit");
        Require(body?.Unit is not null, "unit");
        Require(body?.Caps?.Mobile is not null, "caps.mobile");
        Require(body?.Caps?.Paper is not null, "caps.paper");
        if (errors.Count > 0)
        {
            return null;
        }

        var cohorts = Cohorts(body!.Cohorts, errors);
        if (errors.Count > 0)
        {
            return null;
        }

        PaymentMethod? payment = body.Payment switch
        {
            null or "none" => PaymentMethod.None,
            "account" => PaymentMethod.Account,
            _ => null,
        };
        if (payment is null)
        {
            errors["payment"] = ["The payment is \"account\" (the buyer's bank account) or \"none\"."];
            return null;
        }

        var policy = new Policy(body.OpensAt!.Value, body.DiscountBps!.Value, body.CitizenMonthlyLimit!.Value, body.Unit!.Value,
            new ChannelAmounts(body.Caps!.Mobile!.Value, body.Caps.Paper!.Value), cohorts, body.PreQueueMinutes ?? 0,
            payment.Value, body.HoldSeconds ?? Grains.Interfaces.Policy.DefaultHoldSeconds);
        foreach (var (field, message) in policy.Validate(programMonth))
        {
            errors[field] = [message];
        }

        return errors.Count > 0 ? null : policy;
    }

    /// <summary>The channel and amount of a purchase body, with what is wrong by field.</summary>
    public static (Channel Channel, long Amount)? Purchase(
        PurchaseRequestBody? body, string[]? idempotencyKey, Dictionary<string, string[]> errors)
    {
        if (idempotencyKey is not [var key] || !CitizenIds.IsValidIdempotencyKey(key))
        {
            errors[IdempotencyKeyHeader] = ["The Idempotency-Key header is required: 1 to 128 visible characters."];
        }

        if (!ChannelNames.TryParse(body?.Channel, out var channel))
        {
            errors["channel"] = ["The channel is \"mobile\" or \"paper\"."];
        }

        if (body?.Amount is not > 0)
        {
            errors["amount"] = ["The amount is a positive whole number of won."];
        }

        if (body?.CitizenId is { } citizenId && !CitizenIds.IsValid(citizenId))
        {
            errors["citizenId"] = ["A citizen id is 1 to 64 of A-Z, a-z, 0-9, '_' and '-'."];
        }

        return errors.Count == 0 ? (channel!.Value, body!.Amount!.Value) : null;
    }

    /// <summary>A non-negative whole number from the query string, or <paramref name="fallback"/> when absent.</summary>
    public static long Whole(string? value, string field, long fallback, Dictionary<string, string[]> errors)
    {
        if (value is null)
        {
            return fallback;
        }

        if (long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        errors[field] = ["A whole number of 0 or more."];
        return fallback;
    }
}
