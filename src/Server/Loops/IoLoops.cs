using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Connections;

namespace Switchboard.Server.Loops;

/// <summary>
/// Threads that wait for bytes on many plain sockets at once (Linux epoll), one socket on one of them, taken in
/// turn. When bytes arrive, the socket's thread takes them, and whatever waits to read them (a
/// <see cref="WebSocketSession"/>'s receive loop, and the handlers it calls) goes on on the thread pool, one work item
/// per read: code that blocks holds up only itself. What a server writes outside a connection's own batch (a
/// broadcast) is flushed from the thread pool, not by the loops.
/// </summary>
/// <remarks>
/// Only on Linux (x86-64 and Arm64), see <see cref="IsSupported"/>, and only for sockets without TLS: a
/// <see cref="SocketTransport"/> given a loop and a stream reads through the stream as it would without one. A
/// transport sees its loop only as an <see cref="IReadinessSource"/>, which the client's package knows without
/// carrying the loops.
/// </remarks>
internal sealed class IoLoops : IDisposable
{
    private readonly IoLoop[] _loops;
    private readonly ILogger _logger;
    private readonly Timer _stallCheck;
    private uint _next;

    /// <summary>Starts <paramref name="count"/> loops, each on a thread of its own.</summary>
    /// <param name="count">How many threads; one per processor serves a server well.</param>
    /// <param name="logger">
    /// Where an exception that escaped from a reader goes (the loop goes on), and a warning when a loop's thread has
    /// been held for a second or more in one turn: something blocks it, and every other socket of that thread waits.
    /// </param>
    /// <exception cref="PlatformNotSupportedException">The platform is not one of <see cref="IsSupported"/>'s.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is zero or negative.</exception>
    public IoLoops(int count, ILogger? logger = null)
        : this(count, logger, unsafePreferInlineScheduling: false)
    {
    }

    /// <summary>
    /// Starts <paramref name="count"/> loops as <see cref="IoLoops(int, ILogger)"/> does; with
    /// <paramref name="unsafePreferInlineScheduling"/>, whatever waits to read a socket runs on the socket's thread as
    /// soon as the bytes arrive, with no hop to the thread pool: code that blocks there holds up every socket of that
    /// thread, which the warning of a held thread then names.
    /// </summary>
    internal IoLoops(int count, ILogger? logger, bool unsafePreferInlineScheduling)
    {
        if (!IsSupported) throw new PlatformNotSupportedException("I/O loops need Linux on x86-64 or Arm64");
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(count, 0);
        _logger = logger ?? NullLogger.Instance;
        _loops = new IoLoop[count];
        _stallCheck = new Timer(static state => ((IoLoops)state!).CheckStalls(), this, Timeout.Infinite, Timeout.Infinite);
        try
        {
            for (var i = 0; i < count; i++) _loops[i] = new IoLoop($"Switchboard I/O {i + 1}", OnError, OnStall, unsafePreferInlineScheduling);
        }
        catch
        {
            Dispose();
            throw;
        }
        _stallCheck.Change(IoLoop.StallThresholdMs / 2, IoLoop.StallThresholdMs / 2);
    }

    /// <summary>Whether this platform runs loops: Linux on x86-64 or Arm64.</summary>
    public static bool IsSupported => Epoll.IsSupported;

    /// <summary>The number of loops.</summary>
    public int Count => _loops.Length;

    /// <summary>Sockets that readers have registered with the loops and not let go yet.</summary>
    public int RegisteredCount => _loops.Sum(l => l?.RegisteredCount ?? 0);

    /// <summary>
    /// Stops every loop; a reader that still waits on one fails with <see cref="ObjectDisposedException"/>. Sockets
    /// given to new transports after this are refused.
    /// </summary>
    public void Dispose()
    {
        _stallCheck.Dispose();
        foreach (var loop in _loops) loop?.Dispose();
    }

    private void CheckStalls()
    {
        var now = Environment.TickCount64;
        foreach (var loop in _loops) loop?.CheckStall(now);
    }

    private void OnError(Exception e) => LoopLog.CallbackFailed(_logger, e);

    private void OnStall(IoLoop loop, long heldMs) => LoopLog.Stalled(_logger, loop.Name, heldMs);

    /// <summary>The loop for the next socket, in turn: what a <see cref="SocketTransport"/> waits on.</summary>
    internal IoLoop Next() => _loops[(int)(Interlocked.Increment(ref _next) % (uint)_loops.Length)];
}
