using System;
using System.Text;
using System.Threading;

namespace TinyHttp.Protocol;

/// <summary>
/// The current time as an IMF-fixdate (RFC 9110 §5.6.7), re-encoded at most once a second so that
/// every response can carry Date without formatting it.
/// </summary>
internal static class HttpDate
{
    private sealed record Snapshot(long UnixSecond, byte[] Bytes);

    private static Snapshot s_current = Create(DateTimeOffset.UtcNow);

    /// <summary>The 29 ASCII bytes of the current date, e.g. <c>Wed, 25 Nov 2026 14:00:00 GMT</c>.</summary>
    public static ReadOnlySpan<byte> Current
    {
        get
        {
            DateTimeOffset now = DateTimeOffset.UtcNow;
            Snapshot snapshot = Volatile.Read(ref s_current);
            if (now.ToUnixTimeSeconds() != snapshot.UnixSecond)
            {
                snapshot = Create(now);
                Volatile.Write(ref s_current, snapshot);
            }
            return snapshot.Bytes;
        }
    }

    private static Snapshot Create(DateTimeOffset now) =>
        new(now.ToUnixTimeSeconds(), Encoding.ASCII.GetBytes(now.ToString("r", System.Globalization.CultureInfo.InvariantCulture)));
}
