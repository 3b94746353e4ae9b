namespace Ledger.Client.Api.Hosting;

/// <summary>
/// Stops the gateway with an exit code (which <c>Main</c> returns), for its supervisor to start a new one. A
/// class of its own so that a test can see the stop asked for without its host being torn down mid-assertion.
/// </summary>
public class GatewayStop(IHostApplicationLifetime lifetime)
{
    public virtual void Stop(int exitCode)
    {
        Environment.ExitCode = exitCode;
        lifetime.StopApplication();
    }
}
