using System.Runtime.InteropServices;

namespace Switchboard.Server.Loops;

/// <summary>The few Linux calls an <see cref="IoLoop"/> makes: epoll for readiness, an eventfd to wake it.</summary>
internal static unsafe partial class Epoll
{
    public const int CloExec = 0x80000; // EPOLL_CLOEXEC and EFD_CLOEXEC alike
    public const int NonBlock = 0x800; // EFD_NONBLOCK
    public const int CtlAdd = 1;
    public const uint In = 0x001;
    public const uint Error = 0x008;
    public const uint HangUp = 0x010;
    public const uint ReadHangUp = 0x2000;
    public const uint EdgeTriggered = 1u << 31;
    public const int Interrupted = 4; // EINTR

    /// <summary>Whether this platform has the calls, with an <c>epoll_event</c> layout this file knows.</summary>
    public static bool IsSupported { get; } = OperatingSystem.IsLinux()
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    /// <summary>The size of one <c>epoll_event</c>: packed on x86-64 (12 bytes), naturally aligned elsewhere (16).</summary>
    public static int EventSize { get; } = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    /// <summary>Where an <c>epoll_event</c>'s 64-bit data sits after its 32-bit event mask.</summary>
    public static int DataOffset { get; } = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int Create(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int Control(int epoll, int operation, int fd, byte* ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    public static partial int Wait(int epoll, byte* events, int maxEvents, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initial, int flags);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    /// <summary>Adds <paramref name="fd"/> to <paramref name="epoll"/> for <paramref name="events"/>, tagged with <paramref name="data"/>.</summary>
    /// <returns>0, or the errno of the failure.</returns>
    public static int Add(int epoll, int fd, uint events, ulong data)
    {
        var ev = stackalloc byte[16];
        *(uint*)ev = events;
        *(ulong*)(ev + DataOffset) = data; // unaligned on x86-64, which allows it
        return Control(epoll, CtlAdd, fd, ev) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }
}
