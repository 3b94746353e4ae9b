using System.Text.RegularExpressions;
using Ledger.Client.Api.Apis;
using Ledger.Grains.Interfaces;

namespace Ledger.Client.Api.Tests;

/// <summary>The document's patterns take exactly what the gateway's checks take.</summary>
public sealed class OpenApiPatternTests
{
    [Theory]
    [InlineData("chuncheon")]
    [InlineData("gangwon-2")]
    [InlineData("a")]
    [InlineData("")]
    [InlineData("Chuncheon")]
    [InlineData("chun_cheon")]
    [InlineData("a1234567890123456789012345678901234567890")]
    public void A_program_id_matches_the_pattern_exactly_when_the_gateway_takes_it(string programId) =>
        Assert.Equal(ProgramMonth.IsValidProgramId(programId), Regex.IsMatch(programId, OpenApiSchemas.ProgramIdPattern));

    [Theory]
    [InlineData("2022-12")]
    [InlineData("1000-01")]
    [InlineData("9998-12")]
    [InlineData("9999-01")]
    [InlineData("0999-12")]
    [InlineData("2022-13")]
    [InlineData("2022-00")]
    [InlineData("2022-1")]
    [InlineData("22-12")]
    [InlineData("2022-12-01")]
    public void A_month_matches_the_pattern_exactly_when_the_gateway_takes_it(string month) =>
        Assert.Equal(ProgramMonth.IsValidMonth(month), Regex.IsMatch(month, OpenApiSchemas.MonthPattern));

    [Theory]
    [InlineData("chuncheon.2022-12.1")]
    [InlineData("chuncheon.2022-12.9223372036854775807")]
    [InlineData("chuncheon.2022-12.0")]
    [InlineData("chuncheon.2022-13.1")]
    [InlineData("chuncheon.2022-12")]
    [InlineData("Chuncheon.2022-12.1")]
    public void A_purchase_id_the_gateway_makes_matches_the_pattern_and_one_it_cannot_parse_does_not(string purchaseId)
    {
        var parsed = PurchaseIds.TryParse(purchaseId, out var programMonth, out var sequence);

        Assert.Equal(parsed, Regex.IsMatch(purchaseId, OpenApiSchemas.PurchaseIdPattern));
        Assert.True(!parsed || PurchaseIds.Format(programMonth, sequence) == purchaseId);
    }

    [Theory]
    [InlineData("alice")]
    [InlineData("A_b-9")]
    [InlineData("")]
    [InlineData("alice smith")]
    [InlineData("álvaro")]
    public void A_citizen_id_matches_the_pattern_exactly_when_the_gateway_takes_it(string citizenId) =>
        Assert.Equal(CitizenIds.IsValid(citizenId), Regex.IsMatch(citizenId, OpenApiSchemas.CitizenIdPattern));
}
