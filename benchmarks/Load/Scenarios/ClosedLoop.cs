using System.Net.Sockets;

namespace Switchboard.Benchmarks.Load.Scenarios;

/// <summary>
/// One connection's closed loop against an echo server: it sends its first messages, then reads, and each echo that
/// comes back lets one more message go, until the run stops and every message in flight is back. A scenario says what
/// it sends and what it records of each echo.
/// </summary>
internal abstract class ClosedLoop(LoadConnection connection, RunClock clock) : IFrameSink
{
    protected LoadConnection Connection { get; } = connection;

    protected RunClock Clock { get; } = clock;

    /// <summary>Messages sent and not yet echoed.</summary>
    protected int InFlight { get; set; }

    /// <summary>Echoes read since the last send: as many messages go next.</summary>
    protected int Returned { get; set; }

    /// <summary>Why the loop ended early, or null.</summary>
    public string? Failure { get; private set; }

    public abstract void OnData(ReadOnlySpan<byte> payload, bool fin);

    /// <summary>
    /// Runs every loop, each starting with <paramref name="initial"/> messages, through the measured window, then until
    /// what is in flight comes back (or the server is stuck: the loops give up after a few seconds).
    /// </summary>
    public static async Task<CpuWindow> RunAllAsync(IEnumerable<ClosedLoop> loops, int initial, CommonSettings settings, RunClock clock)
    {
        using var stop = new CancellationTokenSource();
        var running = loops.Select(l => l.RunAsync(initial, stop.Token)).ToList();
        var window = await CpuWindow.MeasureAsync(settings, clock);
        stop.CancelAfter(TimeSpan.FromSeconds(5));
        await Task.WhenAll(running);
        return window;
    }

    /// <summary>Sends <paramref name="count"/> more messages and counts them in flight.</summary>
    protected abstract ValueTask<int> SendAsync(int count, CancellationToken cancellationToken);

    private async Task RunAsync(int initial, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(initial, cancellationToken);
            while (true)
            {
                Connection.Drain(this);
                if (Connection.ProtocolError)
                {
                    Failure = "protocol error from the server";
                    return;
                }
                await Connection.FlushControlAsync(cancellationToken);
                if (Connection.CloseReceived)
                {
                    Failure = "the server closed the connection";
                    return;
                }
                if (InFlight < 0)
                {
                    Failure = "more echoes than messages sent";
                    return;
                }

                if (Clock.Stopping)
                {
                    if (InFlight == 0) return;
                }
                else if (Returned > 0)
                {
                    var count = Returned;
                    Returned = 0;
                    await SendAsync(count, cancellationToken);
                }

                if (!await Connection.ReceiveAsync(cancellationToken))
                {
                    Failure = "the server dropped the connection";
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            if (!Clock.Stopping) throw;
            Failure = "echoes still missing after the run";
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            Failure = e.Message;
        }
    }
}
