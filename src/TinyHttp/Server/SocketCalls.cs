using System;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace TinyHttp.Server;

/// <summary>
/// recv(2) and send(2) from libc with <c>MSG_DONTWAIT</c>, for the sockets in <see cref="SocketEventLoop"/> (Linux only).
/// They never block, whatever the socket's mode, so a plain connection's socket can stay in the blocking mode it was
/// accepted in: <see cref="Socket.Blocking"/> = false, or any receive or send through <see cref="Socket"/> itself, would
/// give it the runtime's per-socket engine state (its <c>SocketAsyncContext</c>, about 220 bytes with its locks), which
/// the loop does not use. (The runtime's own calls still create it where they are made: a file sent with sendfile, a
/// detached connection, a TLS connection's <see cref="SocketStream"/>.) Errors come back as the
/// <see cref="SocketError"/> the runtime would report. Bytes moved here are not in the runtime's
/// <c>System.Net.Sockets</c> byte counters.
/// </summary>
internal static partial class SocketCalls
{
    private const int Peek = 0x2;           // MSG_PEEK
    private const int DontWait = 0x40;      // MSG_DONTWAIT
    private const int NoSignal = 0x4000;    // MSG_NOSIGNAL: a peer that is gone is an EPIPE, never a SIGPIPE (the
                                            // runtime ignores SIGPIPE, but a host that installs its own handler may not)

    /// <summary>Receives what is there into <paramref name="buffer"/> without waiting; with <see cref="SocketFlags.Peek"/>, leaves it there.</summary>
    /// <exception cref="ObjectDisposedException">The socket was closed.</exception>
    public static int Receive(SafeSocketHandle socket, Span<byte> buffer, SocketFlags flags, out SocketError error)
    {
        int platformFlags = DontWait | ((flags & SocketFlags.Peek) != 0 ? Peek : 0);
        while (true)
        {
            nint received = recv(socket, ref MemoryMarshal.GetReference(buffer), (nuint)buffer.Length, platformFlags);
            if (received >= 0)
            {
                error = SocketError.Success;
                return (int)received;
            }
            error = ErrorFor(Marshal.GetLastPInvokeError());
            if (error != SocketError.Interrupted)
            {
                return 0;
            }
        }
    }

    /// <summary>Sends as much of <paramref name="data"/> as the socket takes now; the count sent.</summary>
    /// <exception cref="ObjectDisposedException">The socket was closed.</exception>
    public static int Send(SafeSocketHandle socket, ReadOnlySpan<byte> data, out SocketError error)
    {
        while (true)
        {
            nint sent = send(socket, ref MemoryMarshal.GetReference(data), (nuint)data.Length, DontWait | NoSignal);
            if (sent >= 0)
            {
                error = SocketError.Success;
                return (int)sent;
            }
            error = ErrorFor(Marshal.GetLastPInvokeError());
            if (error != SocketError.Interrupted)
            {
                return 0;
            }
        }
    }

    // Linux's errno values for what recv and send can report, mapped as the runtime maps them (SocketError.SocketError
    // for the rest).
    private static SocketError ErrorFor(int errno) => errno switch
    {
        1 or 13 => SocketError.AccessDenied,              // EPERM, EACCES
        4 => SocketError.Interrupted,                     // EINTR
        9 => SocketError.OperationAborted,                // EBADF
        11 => SocketError.WouldBlock,                     // EAGAIN, EWOULDBLOCK
        14 => SocketError.Fault,                          // EFAULT
        22 => SocketError.InvalidArgument,                // EINVAL
        32 => SocketError.Shutdown,                       // EPIPE
        88 => SocketError.NotSocket,                      // ENOTSOCK
        90 => SocketError.MessageSize,                    // EMSGSIZE
        95 => SocketError.OperationNotSupported,          // EOPNOTSUPP
        100 => SocketError.NetworkDown,                   // ENETDOWN
        101 => SocketError.NetworkUnreachable,            // ENETUNREACH
        102 => SocketError.NetworkReset,                  // ENETRESET
        103 => SocketError.ConnectionAborted,             // ECONNABORTED
        104 => SocketError.ConnectionReset,               // ECONNRESET
        105 => SocketError.NoBufferSpaceAvailable,        // ENOBUFS
        107 => SocketError.NotConnected,                  // ENOTCONN
        108 => SocketError.Disconnecting,                 // ESHUTDOWN
        110 => SocketError.TimedOut,                      // ETIMEDOUT
        111 => SocketError.ConnectionRefused,             // ECONNREFUSED
        112 => SocketError.HostDown,                      // EHOSTDOWN
        113 => SocketError.HostUnreachable,               // EHOSTUNREACH
        125 => SocketError.OperationAborted,              // ECANCELED
        _ => SocketError.SocketError,
    };

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint recv(SafeSocketHandle socket, ref byte buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint send(SafeSocketHandle socket, ref byte buffer, nuint length, int flags);
}
