using System.Runtime.InteropServices;

namespace Switchboard.Server;

public sealed partial class WebSocketServer
{
    /// <summary>
    /// For a server that is the whole program: starts it if needed, waits for SIGINT (Ctrl+C) or SIGTERM, or for
    /// <paramref name="cancellationToken"/>, then shuts down gracefully (<see cref="StopAsync"/>).
    /// </summary>
    public async Task RunUntilShutdownAsync(CancellationToken cancellationToken = default)
    {
        if (_listener is null) Start();
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true; // the graceful stop below ends the process
            signal.TrySetResult();
        }
        using (PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal))
        using (PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal))
        using (cancellationToken.Register(() => signal.TrySetResult()))
        {
            await signal.Task.ConfigureAwait(false);
        }
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
    }
}
