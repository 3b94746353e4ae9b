using Ledger.Testing;
using Npgsql;

namespace Ledger.Testing.Tests;

/// <summary>
/// How plain <c>dotnet test</c> finds what <c>./ledger test</c> would hand it: the clone's root, the PostgreSQL that
/// <c>./ledger up</c> describes in its run file, and Chromium. On directories of their own, without a database.
/// </summary>
public sealed class RunFileDiscoveryTests : IDisposable
{
    private readonly DirectoryInfo clone = Directory.CreateTempSubdirectory("ledger-clone-");

    public RunFileDiscoveryTests() => File.WriteAllText(Path.Combine(clone.FullName, RepositoryRoot.Marker), "");

    public void Dispose() => clone.Delete(recursive: true);

    [Fact]
    public void The_root_is_the_nearest_directory_above_that_holds_the_solution()
    {
        var deep = Directory.CreateDirectory(Path.Combine(clone.FullName, "tests", "X.Tests", "bin", "Debug", "net10.0"));

        Assert.Equal(clone.FullName, RepositoryRoot.Find(deep.FullName));
        Assert.Equal(clone.FullName, RepositoryRoot.Find(clone.FullName));
    }

    [Fact]
    public void Outside_a_clone_there_is_no_root()
    {
        var elsewhere = Directory.CreateTempSubdirectory("ledger-elsewhere-");
        try
        {
            Assert.Null(RepositoryRoot.Find(elsewhere.FullName));
        }
        finally
        {
            elsewhere.Delete();
        }
    }

    [Fact]
    public void The_run_file_as_the_tool_writes_it_is_read_back_whole()
    {
        var written = new PostgresRunFile("127.0.0.1", 54329, "ledger", "p;w\"d", "ledger");
        WriteRunFile(written.ToJson());

        Assert.Equal(written, PostgresRunFile.Read(clone.FullName));
        Assert.Contains("\"port\":54329", written.ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_run_file_that_ledger_up_writes_is_read_as_a_connection()
    {
        WriteRunFile("""{"host":"127.0.0.1","port":54329,"username":"ledger","password":"p;w\"d","database":"ledger"}""");

        var server = PostgresRunFile.Read(RepositoryRoot.Find(Path.Combine(clone.FullName, ".ledger"))!);

        Assert.Equal(new PostgresRunFile("127.0.0.1", 54329, "ledger", "p;w\"d", "ledger"), server);
        var connection = new NpgsqlConnectionStringBuilder(server.ConnectionString("ledger_test"));
        Assert.Equal(
            ("127.0.0.1", 54329, "ledger", "p;w\"d", "ledger_test"),
            (connection.Host, connection.Port, connection.Username, connection.Password, connection.Database));
    }

    [Fact]
    public void Without_the_run_file_the_message_names_it_and_ledger_up()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => PostgresRunFile.Read(clone.FullName));

        Assert.Contains(Path.Combine(clone.FullName, ".ledger", "run", "postgres.json"), refused.Message, StringComparison.Ordinal);
        Assert.Contains("./ledger up", refused.Message, StringComparison.Ordinal);
        Assert.Contains("LEDGER_TEST_CONNECTION", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"host":"127.0.0.1","port":54329,"username":"ledger","database":"ledger"}""")]
    [InlineData("""{"host":"127.0.0.1","port":"x","username":"ledger","password":"p","database":"ledger"}""")]
    [InlineData("not json")]
    public void A_run_file_that_is_not_the_one_ledger_up_writes_is_refused_by_name(string text)
    {
        WriteRunFile(text);

        var refused = Assert.Throws<InvalidOperationException>(() => PostgresRunFile.Read(clone.FullName));

        Assert.StartsWith(Path.Combine(clone.FullName, PostgresRunFile.RelativePath), refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Chromium_is_the_configured_one_then_the_one_on_the_path_then_the_unpacked_one()
    {
        var bin = Directory.CreateDirectory(Path.Combine(clone.FullName, "bin"));
        var onPath = Path.Combine(bin.FullName, "chromium");
        var unpacked = Path.Combine(clone.FullName, TestChromium.UnpackedPath);
        var path = $"/nowhere{Path.PathSeparator}{bin.FullName}";

        Assert.Null(TestChromium.Find(null, path, clone.FullName));
        Directory.CreateDirectory(Path.GetDirectoryName(unpacked)!);
        File.WriteAllText(unpacked, "");
        Assert.Equal(unpacked, TestChromium.Find("", path, clone.FullName));
        File.WriteAllText(onPath, "");
        Assert.Equal(onPath, TestChromium.Find(null, path, clone.FullName));
        Assert.Equal("/opt/chromium", TestChromium.Find("/opt/chromium", path, clone.FullName));
        Assert.Null(TestChromium.Find(null, null, null));
    }

    private void WriteRunFile(string text)
    {
        var file = Path.Combine(clone.FullName, PostgresRunFile.RelativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
    }
}
