using System;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace TinyHttp.Server;

/// <summary>
/// The three epoll(7) calls <see cref="SocketEventLoop"/> makes, from libc. The kernel's <c>struct epoll_event</c> is a
/// 32-bit event mask followed by 64 bits of user data, packed (12 bytes) on x86-64 and naturally aligned (16 bytes) on
/// every other Linux architecture; events are read and written as bytes at those offsets rather than through a struct
/// whose layout would have to change with the architecture.
/// </summary>
internal static partial class Epoll
{
    public const uint In = 0x001;
    public const uint Priority = 0x002;
    public const uint Out = 0x004;
    public const uint Error = 0x008;
    public const uint HangUp = 0x010;
    public const uint ReadHangUp = 0x2000;
    public const uint EdgeTriggered = 1u << 31;

    public const int Add = 1;
    public const int Delete = 2;
    public const int Modify = 3;

    private const int CloseOnExec = 0x80000;
    private const int Interrupted = 4; // EINTR

    /// <summary>Bytes per <c>struct epoll_event</c> on this architecture.</summary>
    public static readonly int EventSize = RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86 ? 12 : 16;

    private static readonly int DataOffset = EventSize == 12 ? 4 : 8;

    /// <summary>A new epoll instance, closed on exec; -1 with the error in <see cref="Marshal.GetLastPInvokeError"/>.</summary>
    public static int Create() => epoll_create1(CloseOnExec);

    /// <summary>Adds, changes or removes <paramref name="fd"/>'s registration; the errno, or 0.</summary>
    public static int Control(int epoll, int operation, int fd, uint events, ulong data)
    {
        Span<byte> ev = stackalloc byte[16];
        ev.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(ev, events);
        BinaryPrimitives.WriteUInt64LittleEndian(ev.Slice(DataOffset), data);
        return epoll_ctl(epoll, operation, fd, ref MemoryMarshal.GetReference(ev)) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>Waits for events into <paramref name="events"/> (whole events); the count, 0 on timeout or interruption.</summary>
    /// <exception cref="InvalidOperationException">epoll_wait failed for a reason other than a signal.</exception>
    public static int Wait(int epoll, byte[] events, int timeoutMilliseconds)
    {
        int count = epoll_wait(epoll, ref events[0], events.Length / EventSize, timeoutMilliseconds);
        if (count >= 0)
        {
            return count;
        }
        int error = Marshal.GetLastPInvokeError();
        return error == Interrupted ? 0 : throw new InvalidOperationException($"epoll_wait failed with errno {error}.");
    }

    /// <summary>The event mask of the <paramref name="index"/>th event.</summary>
    public static uint EventsAt(byte[] events, int index) => BinaryPrimitives.ReadUInt32LittleEndian(events.AsSpan(index * EventSize));

    /// <summary>The user data of the <paramref name="index"/>th event.</summary>
    public static ulong DataAt(byte[] events, int index) => BinaryPrimitives.ReadUInt64LittleEndian(events.AsSpan(index * EventSize + DataOffset));

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_ctl(int epfd, int op, int fd, ref byte ev);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_wait(int epfd, ref byte events, int maxevents, int timeout);
}
