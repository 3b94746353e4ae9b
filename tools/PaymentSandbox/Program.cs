using Ledger.PaymentSandbox;
using Npgsql;

// The payment provider's sandbox (API.md, "The payment sandbox"), on its own port and in its own schema.
var builder = WebApplication.CreateBuilder(args);
var connectionString = builder.Configuration.GetConnectionString("Sandbox")
    ?? throw new InvalidOperationException("Set the connection string ConnectionStrings:Sandbox (ConnectionStrings__Sandbox).");
builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
builder.Services.AddSingleton<SandboxStore>();
builder.Services.AddSingleton<TransferRecorder>();
builder.Services.AddHostedService(services => services.GetRequiredService<TransferRecorder>());
builder.Services.AddSingleton<FaultPlayer>();
builder.Services.AddProblemDetails();

var app = builder.Build();
await app.Services.GetRequiredService<SandboxStore>().EnsureSchemaAsync();
app.UseBankFaults();
app.MapBankApi();
app.MapSandboxApi();
app.Run();

/// <summary>The sandbox's entry point, named for the tests' host.</summary>
public partial class Program;
