using Microsoft.Extensions.Hosting;

namespace Switchboard.AspNetCore.Hosting;

/// <summary>
/// Stops the <see cref="SwitchboardHost"/> when the app stops: registered after the web server, it is stopped before
/// Kestrel, so connections get their 1001 and the requests that carried them end before Kestrel drains.
/// </summary>
internal sealed class SwitchboardShutdown(SwitchboardHost host) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => host.StopAsync(cancellationToken);
}
