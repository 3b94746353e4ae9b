using System.Text.Json;
using Npgsql;

namespace Ledger.Testing;

/// <summary>
/// The PostgreSQL that <c>./ledger up</c> (or <c>test</c>, or <c>bench</c>) started, as it writes it to
/// <c>.ledger/run/postgres.json</c> while it runs: how plain <c>dotnet test</c> finds the database without
/// <c>LEDGER_TEST_CONNECTION</c>.
/// </summary>
public sealed record PostgresRunFile(string Host, int Port, string Username, string Password, string Database)
{
    /// <summary>The file's name, in the tool's run directory.</summary>
    public const string FileName = "postgres.json";

    /// <summary>The file, from the root of the clone.</summary>
    public static readonly string RelativePath = Path.Combine(".ledger", "run", FileName);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>The file of the clone at <paramref name="repositoryRoot"/>; a missing or unreadable one is explained.</summary>
    /// <exception cref="InvalidOperationException">There is no such file, or it is not one <c>./ledger</c> wrote.</exception>
    public static PostgresRunFile Read(string repositoryRoot)
    {
        var path = Path.Combine(repositoryRoot, RelativePath);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InvalidOperationException(
                $"No PostgreSQL for the tests: LEDGER_TEST_CONNECTION is not set and {path} does not exist. Start PostgreSQL with " +
                "./ledger up (it writes that file while PostgreSQL runs), or run the tests with ./ledger test.",
                e);
        }

        try
        {
            return JsonSerializer.Deserialize<PostgresRunFile>(text, Json)
                ?? throw new JsonException("The file holds null.");
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"{path} is not PostgreSQL's run file as ./ledger up writes it: {e.Message}", e);
        }
    }

    /// <summary>The file's text, as the tool writes it and <see cref="Read"/> reads it.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>A connection to <paramref name="database"/> on this server, as this file's role.</summary>
    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = Host,
        Port = Port,
        Username = Username,
        Password = Password,
        Database = database,
    }.ConnectionString;
}
