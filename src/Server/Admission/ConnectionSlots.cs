using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Switchboard.Server.Admission;

/// <summary>What <see cref="ConnectionSlots.Admit"/> decided for a new connection.</summary>
internal enum SlotVerdict : byte
{
    /// <summary>There was room.</summary>
    Admitted,

    /// <summary>There was no room, and an idle keep-alive HTTP connection was picked to make some.</summary>
    AdmittedByEviction,

    /// <summary><see cref="WebSocketServerOptions.MaxConnections"/> are open and none of them is idle between HTTP requests.</summary>
    OverTotal,

    /// <summary>
    /// <see cref="WebSocketServerOptions.MaxConnectionsPerAddress"/> are open from the client's address and none of them is
    /// idle between HTTP requests.
    /// </summary>
    OverAddress,
}

/// <summary>
/// The server's connection slots: how many accepted sockets are open, in all and per <see cref="ClientAddress"/>, and
/// which of them are idle keep-alive HTTP connections, waiting between requests with none in flight. When a new
/// connection finds no room, the oldest idle one (of its own address when its address is what is full) is given up
/// for it, so that idle HTTP connections can never keep WebSocket or long-polling users out. Thread-safe.
/// </summary>
/// <remarks>
/// An address is remembered only while it has an open connection, so the table holds at most one entry per open
/// connection: it is bounded by <see cref="WebSocketServerOptions.MaxConnections"/> however many addresses come and go.
/// A connection picked for eviction still counts until its socket is closed, which its owner does at once, so the
/// count goes over the limit only for that moment.
/// </remarks>
internal sealed class ConnectionSlots(int maxConnections, int maxPerAddress)
{
    private readonly Lock _lock = new();
    // A struct per address: an address that comes and goes (every connection of a client that opens one at a time)
    // reuses the dictionary's entry and allocates nothing.
    private readonly Dictionary<ClientAddress, AddressSlots> _addresses = [];
    private IdleHttpConnection? _oldest; // every address's idle connections, oldest first
    private IdleHttpConnection? _newest;
    private int _open;
    private int _idle;

    /// <summary>Accepted sockets not closed yet.</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>Connections idle between HTTP requests, that a newcomer may take the place of.</summary>
    public int IdleCount => Volatile.Read(ref _idle);

    /// <summary>Addresses with an open connection: the size of the per-address table.</summary>
    public int AddressCount
    {
        get
        {
            lock (_lock) return _addresses.Count;
        }
    }

    /// <summary>
    /// Takes a slot for a new connection from <paramref name="client"/> when there is room or an idle HTTP connection
    /// to give up; <paramref name="evicted"/> is then that connection, which the caller closes. Nothing is taken when
    /// the answer is <see cref="SlotVerdict.OverTotal"/> or <see cref="SlotVerdict.OverAddress"/>.
    /// </summary>
    public SlotVerdict Admit(ClientAddress client, out IdleHttpConnection? evicted)
    {
        evicted = null;
        lock (_lock)
        {
            ref var slots = ref CollectionsMarshal.GetValueRefOrAddDefault(_addresses, client, out var existed);
            var overAddress = slots.Open >= maxPerAddress;
            if (overAddress || _open >= maxConnections)
            {
                evicted = overAddress ? slots.Oldest : _oldest;
                if (evicted is null)
                {
                    if (!existed) _addresses.Remove(client);
                    return overAddress ? SlotVerdict.OverAddress : SlotVerdict.OverTotal;
                }
                if (evicted.Client == client) Unlink(evicted, ref slots);
                else Unlink(evicted, ref Slots(evicted.Client));
                evicted.Evicted = true;
            }
            slots.Open++;
            _open++;
            return evicted is null ? SlotVerdict.Admitted : SlotVerdict.AdmittedByEviction;
        }
    }

    /// <summary>Gives back the slot of a connection from <paramref name="client"/> whose socket is closed.</summary>
    public void Release(ClientAddress client)
    {
        lock (_lock)
        {
            ref var slots = ref CollectionsMarshal.GetValueRefOrNullRef(_addresses, client);
            if (!Unsafe.IsNullRef(ref slots) && --slots.Open <= 0) _addresses.Remove(client);
            _open--;
        }
    }

    /// <summary>
    /// Lists <paramref name="connection"/> as idle between requests, the newest of them; false when it has been evicted
    /// (and must end).
    /// </summary>
    public bool MarkIdle(IdleHttpConnection connection)
    {
        lock (_lock)
        {
            if (connection.Evicted) return false;
            ref var slots = ref Slots(connection.Client);
            if (Unsafe.IsNullRef(ref slots)) return true; // not counted here (cannot happen for an admitted connection)
            connection.Previous = _newest;
            if (_newest is null) _oldest = connection;
            else _newest.Next = connection;
            _newest = connection;
            connection.PreviousHere = slots.Newest;
            if (slots.Newest is null) slots.Oldest = connection;
            else slots.Newest.NextHere = connection;
            slots.Newest = connection;
            connection.Listed = true;
            _idle++;
            return true;
        }
    }

    /// <summary>
    /// Takes <paramref name="connection"/> off the idle list as a request begins; false when it was evicted first, in
    /// which case the request must not be served.
    /// </summary>
    public bool MarkBusy(IdleHttpConnection connection)
    {
        lock (_lock)
        {
            if (connection.Evicted) return false;
            if (connection.Listed) Unlink(connection, ref Slots(connection.Client));
            return true;
        }
    }

    private ref AddressSlots Slots(ClientAddress client) => ref CollectionsMarshal.GetValueRefOrNullRef(_addresses, client);

    private void Unlink(IdleHttpConnection connection, ref AddressSlots slots)
    {
        if (connection.Previous is null) _oldest = connection.Next;
        else connection.Previous.Next = connection.Next;
        if (connection.Next is null) _newest = connection.Previous;
        else connection.Next.Previous = connection.Previous;
        if (!Unsafe.IsNullRef(ref slots))
        {
            if (connection.PreviousHere is null) slots.Oldest = connection.NextHere;
            else connection.PreviousHere.NextHere = connection.NextHere;
            if (connection.NextHere is null) slots.Newest = connection.PreviousHere;
            else connection.NextHere.PreviousHere = connection.PreviousHere;
        }
        connection.Previous = connection.Next = connection.PreviousHere = connection.NextHere = null;
        connection.Listed = false;
        _idle--;
    }

    private struct AddressSlots
    {
        public int Open;
        public IdleHttpConnection? Oldest;
        public IdleHttpConnection? Newest;
    }
}
