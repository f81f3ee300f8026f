using System.Net.Sockets;
using System.Runtime.InteropServices;
using Switchboard.Connections;

namespace Switchboard.Server.Loops;

/// <summary>
/// One thread that waits on an epoll set of sockets and, as each becomes readable, calls its listener right there: the
/// listener takes the bytes on this thread, and hands what waited for them (a session's receive loop, and the handlers
/// it calls) to the thread pool, or with <see cref="PreferInlineScheduling"/> runs it on this thread as well.
/// </summary>
/// <remarks>
/// Sockets are registered once, edge-triggered, and never removed: closing a socket removes it from the set. Each
/// registration's tag is a slot and a generation, so a stale event for a socket whose slot has since been reused
/// reaches no one.
/// </remarks>
internal sealed unsafe class IoLoop : IReadinessSource, IDisposable
{
    private const int MaxEvents = 256;
    private const ulong WakeTag = ulong.MaxValue;

    [ThreadStatic]
    private static IoLoop? t_current;

    /// <summary>A turn this long is a stall: something blocks the loop's thread.</summary>
    public const long StallThresholdMs = 1000;

    private readonly Action<Exception> _onError;
    private readonly Action<IoLoop, long> _onStall;
    private readonly int _epoll;
    private readonly int _wake; // an eventfd: written once, to stop the loop
    private readonly Thread _thread;
    private readonly int _threadId;
    private readonly Lock _slotsLock = new();
    private List<IThreadPoolWorkItem> _nextTurn = [];
    private List<IThreadPoolWorkItem> _thisTurn = [];
    private Slot[] _slots = new Slot[64];
    private readonly Stack<int> _freeSlots = new();
    private int _usedSlots;
    private uint _generation;
    private int _stopping;
    private volatile bool _running = true;
    private bool _closeOnExit; // Dispose was called on the loop's own thread, which cannot wait for itself
    private long _turnStarted; // Environment.TickCount64 when the current turn began; 0 while the loop waits
    private long _stallReported; // the turn last reported as stalled

    private struct Slot
    {
        public IReadinessListener? Listener;
        public uint Generation;
    }

    /// <summary>Starts a loop on a thread of its own.</summary>
    /// <param name="name">The thread's name.</param>
    /// <param name="onError">Hears of an exception a listener or an after-turn item let escape; the loop goes on.</param>
    /// <param name="onStall">Hears once of a turn that ran <see cref="StallThresholdMs"/> or longer, with how long it had run.</param>
    /// <param name="preferInlineScheduling">See <see cref="PreferInlineScheduling"/>.</param>
    public IoLoop(string name, Action<Exception> onError, Action<IoLoop, long> onStall, bool preferInlineScheduling = false)
    {
        PreferInlineScheduling = preferInlineScheduling;
        _onError = onError;
        _onStall = onStall;
        _epoll = Epoll.Create(Epoll.CloExec);
        if (_epoll < 0) throw new SocketException(Marshal.GetLastPInvokeError());
        _wake = Epoll.EventFd(0, Epoll.CloExec | Epoll.NonBlock);
        var error = _wake < 0 ? Marshal.GetLastPInvokeError() : Epoll.Add(_epoll, _wake, Epoll.In, WakeTag);
        if (error != 0)
        {
            if (_wake >= 0) Epoll.Close(_wake);
            Epoll.Close(_epoll);
            throw new SocketException(error);
        }
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _threadId = _thread.ManagedThreadId;
        _thread.UnsafeStart();
    }

    /// <summary>
    /// Whether a read that waited on this loop completes on the loop's thread, running what awaited it (the reader's
    /// code, and whatever it calls) right there. False: the listener takes the bytes here and completes the read on the
    /// thread pool, so nothing but the loop's own work runs on its thread.
    /// </summary>
    public bool PreferInlineScheduling { get; }

    /// <summary>The name of the loop's thread.</summary>
    public string Name => _thread.Name!;

    /// <summary>Whether the caller runs on this loop's thread.</summary>
    public bool IsOwnThread => Environment.CurrentManagedThreadId == _threadId;

    /// <summary>The loop whose thread this is, or null on any other thread.</summary>
    public static IoLoop? Current => t_current;

    /// <summary>Whether the loop still waits for its sockets: false once it is disposed (or its wait failed).</summary>
    public bool IsRunning => _running;

    /// <summary>Sockets registered and not unregistered yet.</summary>
    public int RegisteredCount
    {
        get
        {
            lock (_slotsLock) return _usedSlots - _freeSlots.Count;
        }
    }

    /// <summary>
    /// Adds <paramref name="socket"/> to the set; <paramref name="listener"/> hears of it until <see cref="Unregister"/>.
    /// </summary>
    /// <returns>The registration's tag, for <see cref="Unregister"/>.</returns>
    /// <exception cref="ObjectDisposedException">The loop has stopped.</exception>
    /// <exception cref="SocketException">The socket cannot be added.</exception>
    /// <exception cref="ObjectDisposedException">The socket is closed.</exception>
    public ulong Register(Socket socket, IReadinessListener listener)
    {
        ObjectDisposedException.ThrowIf(!_running, this);
        ulong tag;
        lock (_slotsLock)
        {
            if (!_freeSlots.TryPop(out var slot))
            {
                slot = _usedSlots++;
                if (slot == _slots.Length)
                {
                    // Published whole, before the socket is added: an event for it finds its slot in the array the loop reads.
                    var larger = new Slot[_slots.Length * 2];
                    _slots.CopyTo(larger, 0);
                    Volatile.Write(ref _slots, larger);
                }
            }
            var generation = ++_generation;
            _slots[slot] = new Slot { Listener = listener, Generation = generation };
            tag = ((ulong)generation << 32) | (uint)slot;
        }
        // The handle is held for the call, so a socket closed meanwhile cannot have its number reused under it.
        var handle = socket.SafeHandle;
        var held = false;
        int error;
        try
        {
            handle.DangerousAddRef(ref held);
            error = Epoll.Add(_epoll, (int)handle.DangerousGetHandle(), Epoll.In | Epoll.ReadHangUp | Epoll.EdgeTriggered, tag);
        }
        catch
        {
            Unregister(tag);
            throw;
        }
        finally
        {
            if (held) handle.DangerousRelease();
        }
        if (error != 0)
        {
            Unregister(tag);
            throw new SocketException(error);
        }
        return tag;
    }

    /// <summary>Stops telling the listener of <paramref name="tag"/>; the socket itself leaves the set when it is closed.</summary>
    public void Unregister(ulong tag)
    {
        var slot = (int)(uint)tag;
        lock (_slotsLock)
        {
            if (_slots[slot].Generation != (uint)(tag >> 32) || _slots[slot].Listener is null) return;
            _slots[slot] = new Slot { Generation = _slots[slot].Generation };
            _freeSlots.Push(slot);
        }
    }

    /// <summary>
    /// Runs <paramref name="item"/> on this loop's thread in its next turn, after the events that turn brings: work
    /// that yields to the loop's other sockets. Only on the loop's own thread (see <see cref="Current"/>).
    /// </summary>
    public void RunNextTurn(IThreadPoolWorkItem item)
    {
        if (!IsOwnThread) throw new InvalidOperationException("only the loop's own thread can leave work to its next turn");
        _nextTurn.Add(item);
    }

    /// <summary>
    /// Reports the current turn as a stall if it has run <see cref="StallThresholdMs"/> or longer at
    /// <paramref name="now"/> (an <see cref="Environment.TickCount64"/>): for a turn that is still held, from another thread.
    /// </summary>
    public void CheckStall(long now) => ReportStall(Volatile.Read(ref _turnStarted), now);

    /// <summary>Tells <c>onStall</c> of the turn that started at <paramref name="started"/>, once, if it is long enough.</summary>
    private void ReportStall(long started, long now)
    {
        if (started == 0 || now - started < StallThresholdMs) return;
        var reported = Volatile.Read(ref _stallReported);
        if (reported == started || Interlocked.CompareExchange(ref _stallReported, started, reported) != reported) return;
        _onStall(this, now - started);
    }

    /// <summary>Stops the loop: its thread ends after its current turn; every listener still registered is called once more, on the thread pool.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _stopping, 1) != 0) return;
        ulong one = 1;
        Epoll.Write(_wake, (byte*)&one, sizeof(ulong));
        if (Thread.CurrentThread == _thread)
        {
            _closeOnExit = true; // the loop's own thread: it closes the descriptors once this turn ends
            return;
        }
        _thread.Join();
        CloseDescriptors();
    }

    /// <summary>Closes the epoll set and the eventfd, once the loop's thread no longer uses them and nothing writes to the eventfd.</summary>
    private void CloseDescriptors()
    {
        Epoll.Close(_wake);
        Epoll.Close(_epoll);
    }

    private void Run()
    {
        t_current = this;
        var events = (byte*)NativeMemory.Alloc(MaxEvents, (nuint)Epoll.EventSize);
        try
        {
            while (Volatile.Read(ref _stopping) == 0)
            {
                // With work left for this turn, the wait only collects what is ready.
                var count = Epoll.Wait(_epoll, events, MaxEvents, _nextTurn.Count > 0 ? 0 : -1);
                if (count < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Epoll.Interrupted) continue;
                    break; // the set is broken; its listeners learn below
                }
                Volatile.Write(ref _turnStarted, Environment.TickCount64);
                var slots = Volatile.Read(ref _slots);
                for (var i = 0; i < count; i++)
                {
                    var ev = events + (i * Epoll.EventSize);
                    var tag = *(ulong*)(ev + Epoll.DataOffset);
                    if (tag == WakeTag) continue;
                    var index = (int)(uint)tag;
                    if (index >= slots.Length) slots = Volatile.Read(ref _slots);
                    var entry = slots[index];
                    if (entry.Generation == (uint)(tag >> 32) && entry.Listener is { } listener)
                    {
                        Call(listener, (*(uint*)ev & (Epoll.HangUp | Epoll.ReadHangUp | Epoll.Error)) != 0);
                    }
                }
                if (_nextTurn.Count > 0)
                {
                    // What this runs leaves for the next turn goes into the other list.
                    (_thisTurn, _nextTurn) = (_nextTurn, _thisTurn);
                    foreach (var item in _thisTurn) Call(item);
                    _thisTurn.Clear();
                }
                ReportStall(Volatile.Read(ref _turnStarted), Environment.TickCount64); // a stall the check did not see while it lasted
                Volatile.Write(ref _turnStarted, 0);
            }
        }
        finally
        {
            _running = false;
            NativeMemory.Free(events);
            t_current = null;
            if (_closeOnExit) CloseDescriptors();
            // A listener that still waits would wait forever: each tries its read once more, sees the loop stopped and fails.
            lock (_slotsLock)
            {
                foreach (var slot in _slots)
                {
                    if (slot.Listener is { } listener) ThreadPool.UnsafeQueueUserWorkItem(listener, preferLocal: false);
                }
            }
            // Work left for a turn that will not come (a read that yielded) runs on the thread pool instead.
            foreach (var item in _nextTurn) ThreadPool.UnsafeQueueUserWorkItem(item, preferLocal: false);
            _nextTurn.Clear();
        }
    }

#pragma warning disable CA1031 // One listener's bug must not stop every other socket of the loop.
    private void Call(IReadinessListener listener, bool hangUp)
    {
        try
        {
            listener.OnReady(hangUp);
        }
        catch (Exception e)
        {
            _onError(e);
        }
    }

    private void Call(IThreadPoolWorkItem item)
    {
        try
        {
            item.Execute();
        }
        catch (Exception e)
        {
            _onError(e);
        }
    }
#pragma warning restore CA1031
}
