using Microsoft.Extensions.Hosting;

namespace Switchboard.Server.GenericHost;

/// <summary>
/// Runs the <see cref="WebSocketServer"/> of a Generic Host: starts listening when the host starts, and on host stop
/// (<see cref="IHostApplicationLifetime.StopApplication"/>, SIGTERM, Ctrl+C) shuts down gracefully, closing every
/// connection with 1001 (<see cref="WebSocketServer.StopAsync"/>).
/// </summary>
internal sealed class WebSocketServerService(WebSocketServer server) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        server.Start();
        return Task.CompletedTask;
    }

    /// <remarks>
    /// <paramref name="cancellationToken"/> fires when the host's own shutdown timeout runs out; the server's
    /// <see cref="WebSocketServerOptions.ShutdownTimeout"/> bounds the wait for closing handshakes before that.
    /// </remarks>
    public Task StopAsync(CancellationToken cancellationToken) => server.StopAsync(cancellationToken);
}
