using System.Net;
using Switchboard.Connections;

namespace Switchboard.Server.Admission;

/// <summary>
/// A keep-alive HTTP connection as <see cref="ConnectionSlots"/> sees it while it waits for its next request: made the
/// first time the connection waits between requests and kept for its life, so a WebSocket upgrade, which never waits
/// between requests, makes none. The links are guarded by the slots' lock.
/// </summary>
internal sealed class IdleHttpConnection(SocketTransport transport, EndPoint? remote)
{
    /// <summary>The connection, which the evictor aborts.</summary>
    public SocketTransport Transport { get; } = transport;

    /// <summary>The client, for the report of the eviction.</summary>
    public EndPoint? Remote { get; } = remote;

    /// <summary>The address the connection counts against.</summary>
    public ClientAddress Client { get; } = ClientAddress.Of(remote);

    /// <summary>Set once, when a newcomer took the connection's place; it then never serves another request.</summary>
    public bool Evicted { get; set; }

    internal bool Listed;
    internal IdleHttpConnection? Previous;
    internal IdleHttpConnection? Next;
    internal IdleHttpConnection? PreviousHere;
    internal IdleHttpConnection? NextHere;
}
