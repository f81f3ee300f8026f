#if !NET9_0_OR_GREATER
namespace System.Threading;

/// <summary>
/// net8.0 stand-in for .NET 9's <c>System.Threading.Lock</c>, so <c>lock (_lock)</c> on a field of this type
/// compiles on both targets; on net8.0 it is a monitor lock on a private object.
/// </summary>
internal sealed class Lock
{
    private readonly object _gate = new();

    /// <summary>Enters the lock; the C# <c>lock</c> statement calls this and disposes the scope on exit.</summary>
    public Scope EnterScope()
    {
        Monitor.Enter(_gate);
        return new Scope(_gate);
    }

    /// <summary>Holds the lock until disposed.</summary>
    public readonly ref struct Scope
    {
        private readonly object _gate;

        internal Scope(object gate) => _gate = gate;

        /// <summary>Exits the lock.</summary>
        public void Dispose() => Monitor.Exit(_gate);
    }
}
#endif
