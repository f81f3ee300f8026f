using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Switchboard.Connections;
using Xunit;

namespace Switchboard.Tests.Connections;

/// <summary>
/// The calls a loop's socket is read and written with, over real loopback connections. A transport on one of the
/// server's loops is tested with the loops (Server.Tests, <c>IoLoopTests</c>).
/// </summary>
public sealed class LoopSocketTests : IDisposable
{
    private readonly LoopbackSockets _sockets = new();

    public LoopSocketTests() => Assert.True(OperatingSystem.IsLinux(), "these tests run on Linux, where the server's loops use these calls");

    [Fact]
    public async Task A_receive_takes_what_arrived_and_says_would_block_when_nothing_has()
    {
        var (client, server) = await ConnectAsync();
        var buffer = new byte[64];

        Assert.Equal(0, LoopSocket.Receive(server.SafeHandle, buffer, out var error));
        Assert.Equal(SocketError.WouldBlock, error);

        client.Send("hello"u8);
        var received = ReceiveWithin(server, buffer, out error);
        Assert.Equal(SocketError.Success, error);
        Assert.Equal("hello"u8.ToArray(), buffer[..received]);
    }

    [Fact]
    public async Task The_peer_ending_its_side_reads_as_zero_bytes_and_a_reset_as_connection_reset()
    {
        var (client, server) = await ConnectAsync();
        var buffer = new byte[64];
        client.Shutdown(SocketShutdown.Send);
        Assert.Equal(0, ReceiveWithin(server, buffer, out var error));
        Assert.Equal(SocketError.Success, error);

        var (resetting, other) = await ConnectAsync();
        resetting.LingerState = new LingerOption(true, 0); // close sends RST
        resetting.Close();
        Assert.Equal(0, ReceiveWithin(other, buffer, out error));
        Assert.Equal(SocketError.ConnectionReset, error);
    }

    [Fact]
    public async Task A_send_takes_what_fits_and_says_would_block_once_the_socket_is_full()
    {
        var (_, server) = await ConnectAsync(); // the client never reads
        server.SendBufferSize = 16 * 1024;
        var chunk = new byte[256 * 1024];
        var total = 0L;
        var error = SocketError.Success;
        // Loopback holds some megabytes between the two sockets at most: the bound is far beyond that.
        for (var i = 0; i < 1000 && error == SocketError.Success; i++)
        {
            var sent = LoopSocket.Send(server.SafeHandle, chunk, out error);
            Assert.InRange(sent, 0, chunk.Length);
            Assert.True(error == SocketError.WouldBlock || sent == chunk.Length, $"{sent} of {chunk.Length} taken with {error}");
            total += sent;
        }
        Assert.Equal(SocketError.WouldBlock, error);
        Assert.True(total > 0);
    }

    [Fact]
    public async Task Sending_to_a_peer_that_reset_is_an_error_and_not_a_signal()
    {
        var (client, server) = await ConnectAsync();
        client.LingerState = new LingerOption(true, 0);
        client.Close();
        // A send before the reset has arrived would still be taken: the socket turns readable when it arrives.
        Assert.True(server.Poll(TimeSpan.FromSeconds(10), SelectMode.SelectRead), "the reset never arrived");
        LoopSocket.Send(server.SafeHandle, new byte[1024], out var error);
        Assert.Contains(error, new[] { SocketError.ConnectionReset, SocketError.Shutdown });
    }

    [Fact]
    public async Task A_closed_socket_fails_the_call_instead_of_reaching_a_reused_descriptor()
    {
        var (_, server) = await ConnectAsync();
        var handle = server.SafeHandle;
        server.Dispose();
        Assert.Throws<ObjectDisposedException>(() => LoopSocket.Receive(handle, new byte[8], out _));
        Assert.Throws<ObjectDisposedException>(() => LoopSocket.Send(handle, new byte[8], out _));
    }

    public void Dispose() => _sockets.Dispose();

    /// <summary>
    /// A non-blocking receive tried until it finds something other than an empty socket, for 10 s at most: after each
    /// empty try it waits for the socket to turn readable.
    /// </summary>
    private static int ReceiveWithin(Socket socket, byte[] buffer, out SocketError error)
    {
        var deadline = Environment.TickCount64 + 10_000;
        while (true)
        {
            var received = LoopSocket.Receive(socket.SafeHandle, buffer, out error);
            var left = deadline - Environment.TickCount64;
            if (error != SocketError.WouldBlock || left <= 0) return received;
            socket.Poll(TimeSpan.FromMilliseconds(left), SelectMode.SelectRead);
        }
    }

    /// <summary>A connected pair whose server end is non-blocking, as a loop's socket is.</summary>
    private async Task<(Socket Client, Socket Server)> ConnectAsync()
    {
        var (client, server) = await _sockets.ConnectAsync();
        LoopSocket.MakeNonBlocking(server.SafeHandle);
        return (client, server);
    }
}
