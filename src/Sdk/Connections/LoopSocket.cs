using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Switchboard.Connections;

/// <summary>
/// The calls a socket that waits on an I/O loop (an <see cref="IReadinessSource"/>) is read and written with: its
/// descriptor is made non-blocking with <c>fcntl</c>, and it is read and written with plain <c>recv</c> and <c>send</c>.
/// The runtime's own non-blocking mode (<see cref="Socket.Blocking"/> set to false) would build its machinery for
/// asynchronous operations, locks included, for every socket, although a loop's socket waits on the loop instead.
/// </summary>
/// <remarks>
/// They live beside <see cref="SocketReader"/> and <see cref="SendQueue"/>, which make them, rather than with the
/// server's loops, which only wait: a read or send calls them directly, not through the loop.
/// <para>
/// The handle goes to each call as a <see cref="SafeHandle"/>, which holds the descriptor for the length of the call:
/// a socket closed by another thread meanwhile cannot have its number reused under the call, and a socket already
/// closed fails it with <see cref="ObjectDisposedException"/>, as the runtime's own calls do.
/// </para>
/// </remarks>
internal static unsafe partial class LoopSocket
{
    private const int GetStatusFlags = 3; // F_GETFL
    private const int SetStatusFlags = 4; // F_SETFL
    private const int NonBlocking = 0x800; // O_NONBLOCK
    private const int NoSignal = 0x4000; // MSG_NOSIGNAL: writing to a peer that is gone is an error, not a SIGPIPE
    private const int Interrupted = 4; // EINTR

    /// <summary>Sets the descriptor's <c>O_NONBLOCK</c>: a receive or send that cannot proceed returns at once.</summary>
    /// <exception cref="SocketException">The descriptor refused it.</exception>
    public static void MakeNonBlocking(SafeSocketHandle handle)
    {
        var flags = Control(handle, GetStatusFlags, 0);
        if (flags < 0 || Control(handle, SetStatusFlags, flags | NonBlocking) < 0)
        {
            throw new SocketException((int)ToSocketError(Marshal.GetLastPInvokeError()));
        }
    }

    /// <summary>Takes what the socket holds, up to <paramref name="buffer"/>'s length, without waiting.</summary>
    /// <returns>The bytes taken: 0 with <see cref="SocketError.Success"/> when the peer has ended its side.</returns>
    public static int Receive(SafeSocketHandle handle, Span<byte> buffer, out SocketError error)
    {
        fixed (byte* bytes = buffer)
        {
            while (true)
            {
                var received = Recv(handle, bytes, (nuint)buffer.Length, 0);
                if (TryEnd(received, out error)) return received > 0 ? (int)received : 0;
            }
        }
    }

    /// <summary>Hands the socket what it takes of <paramref name="buffer"/> without waiting.</summary>
    /// <returns>The bytes taken: fewer than offered, with <see cref="SocketError.WouldBlock"/>, when the socket is full.</returns>
    public static int Send(SafeSocketHandle handle, ReadOnlySpan<byte> buffer, out SocketError error)
    {
        var total = 0;
        fixed (byte* bytes = buffer)
        {
            // A send the socket takes only in part says nothing yet; the one after it says whether it is full.
            while (total < buffer.Length)
            {
                var sent = SendCall(handle, bytes + total, (nuint)(buffer.Length - total), NoSignal);
                if (!TryEnd(sent, out error)) continue;
                if (sent <= 0) return total;
                total += (int)sent;
            }
        }
        error = SocketError.Success;
        return total;
    }

    /// <summary>Reads a call's result: false when it was interrupted and should be made again.</summary>
    private static bool TryEnd(nint result, out SocketError error)
    {
        if (result >= 0)
        {
            error = SocketError.Success;
            return true;
        }
        var errno = Marshal.GetLastPInvokeError();
        error = ToSocketError(errno);
        return errno != Interrupted;
    }

    /// <summary>The <see cref="SocketError"/> the runtime reports for a Linux errno of a receive or send.</summary>
    internal static SocketError ToSocketError(int errno) => errno switch
    {
        11 => SocketError.WouldBlock, // EAGAIN, EWOULDBLOCK
        9 => SocketError.OperationAborted, // EBADF
        12 or 105 => SocketError.NoBufferSpaceAvailable, // ENOMEM, ENOBUFS
        22 => SocketError.InvalidArgument, // EINVAL
        32 => SocketError.Shutdown, // EPIPE
        88 => SocketError.NotSocket, // ENOTSOCK
        90 => SocketError.MessageSize, // EMSGSIZE
        100 => SocketError.NetworkDown, // ENETDOWN
        101 => SocketError.NetworkUnreachable, // ENETUNREACH
        103 => SocketError.ConnectionAborted, // ECONNABORTED
        104 => SocketError.ConnectionReset, // ECONNRESET
        107 => SocketError.NotConnected, // ENOTCONN
        110 => SocketError.TimedOut, // ETIMEDOUT
        113 => SocketError.HostUnreachable, // EHOSTUNREACH
        _ => SocketError.SocketError,
    };

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Control(SafeSocketHandle fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static partial nint Recv(SafeSocketHandle fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    private static partial nint SendCall(SafeSocketHandle fd, byte* buffer, nuint length, int flags);
}
