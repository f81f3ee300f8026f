using Microsoft.Extensions.Hosting;

namespace Switchboard.AspNetCore.Hosting;

/// <summary>
/// Stops the <see cref="SwitchboardHost"/> when the app stops. The stop starts on
/// <see cref="IHostApplicationLifetime.ApplicationStopping"/>, before any hosted service (Kestrel's included) is
/// stopped, so connections get their 1001 and the requests that carry them end while Kestrel still runs; the hosted
/// service's own stop waits for it.
/// </summary>
internal sealed class SwitchboardShutdown(SwitchboardHost host, IHostApplicationLifetime lifetime) : IHostedService, IDisposable
{
    private readonly object _lock = new();
    private CancellationTokenRegistration _registration;
    private Task? _stopping;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _registration = lifetime.ApplicationStopping.Register(static state => ((SwitchboardShutdown)state!).Stop(), this);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Stop().WaitAsync(cancellationToken);

    private Task Stop()
    {
        lock (_lock) return _stopping ??= host.StopAsync(CancellationToken.None);
    }

    public void Dispose() => _registration.Dispose();
}
