namespace Ledger.OpenApi.Tests;

[CollectionDefinition(Name)]
public sealed class OpenApiCollection : ICollectionFixture<OpenApiFixture>
{
    public const string Name = "openapi";
}
