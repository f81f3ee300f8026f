using System.Net;
using System.Net.Sockets;

namespace Switchboard.Tests.Connections;

/// <summary>
/// Connected pairs of TCP sockets over loopback, from one listener on a port the system picks. Disposing it closes the
/// listener and every socket it made.
/// </summary>
internal sealed class LoopbackSockets : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly List<Socket> _owned = [];

    public LoopbackSockets()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(128);
    }

    /// <summary>A client connected to the listener, and the server's end of the connection.</summary>
    public async Task<(Socket Client, Socket Server)> ConnectAsync()
    {
        var accepting = _listener.AcceptAsync();
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _owned.Add(client);
        await client.ConnectAsync(_listener.LocalEndPoint!);
        var server = await accepting;
        _owned.Add(server);
        return (client, server);
    }

    public void Dispose()
    {
        foreach (var socket in _owned) socket.Dispose();
        _listener.Dispose();
    }
}
