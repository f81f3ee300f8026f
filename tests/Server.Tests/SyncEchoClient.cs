using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Switchboard.Server.Tests;

/// <summary>
/// A WebSocket client that allocates nothing once connected: its masked frames are built up front and it sends and
/// receives with blocking socket calls into buffers it already holds, so only the server shows in allocation counts.
/// </summary>
internal sealed class SyncEchoClient : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _frames;
    private readonly byte[] _expected;
    private readonly byte[] _received;

    private SyncEchoClient(Socket socket, int payloadLength, int inFlight)
    {
        _socket = socket;
        var payload = new byte[payloadLength];
        for (var i = 0; i < payload.Length; i++) payload[i] = (byte)('a' + i % 26);
        var mask = new byte[] { 0x37, 0xfa, 0x21, 0x3d };

        var frame = new List<byte> { 0x81 }; // FIN, text
        AddLength(frame, payloadLength, masked: true);
        frame.AddRange(mask);
        for (var i = 0; i < payload.Length; i++) frame.Add((byte)(payload[i] ^ mask[i % 4]));

        var echo = new List<byte> { 0x81 };
        AddLength(echo, payloadLength, masked: false);
        echo.AddRange(payload);

        _frames = [.. Enumerable.Repeat(frame, inFlight).SelectMany(f => f)];
        _expected = [.. Enumerable.Repeat(echo, inFlight).SelectMany(f => f)];
        _received = new byte[_expected.Length];
    }

    /// <summary>Connects and upgrades to <paramref name="port"/>; <see cref="Echo"/> then sends <paramref name="inFlight"/> messages at once.</summary>
    public static SyncEchoClient Connect(int port, int payloadLength, int inFlight)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = 10_000 };
        try
        {
            socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
            Upgrade(socket);
            return new SyncEchoClient(socket, payloadLength, inFlight);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Opens a connection and completes the handshake; the socket then sits idle.</summary>
    public static Socket ConnectIdle(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000 };
        socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
        Upgrade(socket);
        return socket;
    }

    /// <summary>Sends the batch of frames in one write and reads back the echo of every one.</summary>
    public void Echo()
    {
        var sent = 0;
        while (sent < _frames.Length) sent += _socket.Send(_frames.AsSpan(sent));
        var read = 0;
        while (read < _received.Length)
        {
            var n = _socket.Receive(_received.AsSpan(read));
            if (n == 0) throw new IOException("the server closed the connection");
            read += n;
        }
    }

    /// <summary>
    /// Sends the batch in one write and returns how many bytes the first receive got: all the echoes when the server
    /// answered the whole batch with one send, since one send over loopback arrives whole.
    /// </summary>
    public int EchoFirstReceive()
    {
        var sent = 0;
        while (sent < _frames.Length) sent += _socket.Send(_frames.AsSpan(sent));
        var first = _socket.Receive(_received);
        var read = first;
        while (read < _received.Length)
        {
            var n = _socket.Receive(_received.AsSpan(read));
            if (n == 0) throw new IOException("the server closed the connection");
            read += n;
        }
        return first;
    }

    /// <summary>The bytes the echo of one batch takes.</summary>
    public int BatchEchoLength => _expected.Length;

    /// <summary>Whether the last <see cref="Echo"/> got back exactly what was sent.</summary>
    public bool LastEchoMatched => _received.AsSpan().SequenceEqual(_expected);

    public void Dispose() => _socket.Dispose();

    private static readonly byte[] UpgradeRequest = Encoding.ASCII.GetBytes(
        "GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");

    /// <summary>Sends the upgrade and reads the 101's head; allocation-free, so counts of the server's allocations hold no client share.</summary>
    private static void Upgrade(Socket socket)
    {
        socket.Send(UpgradeRequest);
        // Byte by byte up to the end of the head, so nothing after it is taken from the stream.
        Span<byte> head = stackalloc byte[512];
        var length = 0;
        while (length < 4 || !head[(length - 4)..length].SequenceEqual("\r\n\r\n"u8))
        {
            if (length == head.Length) throw new IOException("the server's answer to the upgrade is too long");
            if (socket.Receive(head.Slice(length, 1)) == 0) throw new IOException("the server closed the connection during the handshake");
            length++;
        }
        if (!head.StartsWith("HTTP/1.1 101"u8)) throw new IOException($"upgrade refused: {Encoding.ASCII.GetString(head[..length])}");
    }

    private static void AddLength(List<byte> frame, int length, bool masked)
    {
        var maskBit = masked ? 0x80 : 0;
        if (length <= 125)
        {
            frame.Add((byte)(maskBit | length));
        }
        else
        {
            frame.Add((byte)(maskBit | 126));
            frame.Add((byte)(length >> 8));
            frame.Add((byte)length);
        }
    }
}
