using System;
using System.Globalization;
using System.Text;
using System.Threading;

namespace TinyHttp.Protocol;

/// <summary>
/// The current time as an IMF-fixdate (RFC 9110 §5.6.7), re-encoded at most once a second so that
/// every response can carry Date without formatting it. Between seconds a response costs one read of the coarse
/// monotonic clock (<see cref="Environment.TickCount64"/>), not of the wall clock.
/// </summary>
internal static class HttpDate
{
    /// <summary>The encoded date and the tick count at which its second ends.</summary>
    private sealed record Snapshot(long UnixSecond, long ExpiresAtTick, byte[] Bytes);

    private static Snapshot s_current = Create(DateTimeOffset.UtcNow);

    /// <summary>The 29 ASCII bytes of the current date, e.g. <c>Wed, 25 Nov 2026 14:00:00 GMT</c>.</summary>
    public static ReadOnlySpan<byte> Current => CurrentArray;

    /// <summary>The current IMF-fixdate's bytes; a new array each second, so a reference says which second it is.</summary>
    public static byte[] CurrentArray
    {
        get
        {
            Snapshot snapshot = Volatile.Read(ref s_current);
            if (Environment.TickCount64 >= snapshot.ExpiresAtTick)
            {
                DateTimeOffset now = DateTimeOffset.UtcNow;
                if (now.ToUnixTimeSeconds() != snapshot.UnixSecond || Environment.TickCount64 >= snapshot.ExpiresAtTick + 1000)
                {
                    snapshot = Create(now);
                    Volatile.Write(ref s_current, snapshot);
                }
            }
            return snapshot.Bytes;
        }
    }

    // RFC 9110 §5.6.7: IMF-fixdate, and the two obsolete forms a recipient must still accept (rfc850-date, asctime-date,
    // whose day is padded with a space).
    private static readonly string[] Formats =
    [
        "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
        "dddd, dd'-'MMM'-'yy HH':'mm':'ss 'GMT'",
        "ddd MMM  d HH':'mm':'ss yyyy",
        "ddd MMM dd HH':'mm':'ss yyyy",
    ];

    /// <summary>Formats <paramref name="date"/> as an IMF-fixdate, to the second: <c>Sun, 06 Nov 1994 08:49:37 GMT</c>.</summary>
    public static string Format(DateTimeOffset date) => date.ToUniversalTime().ToString("r", CultureInfo.InvariantCulture);

    /// <summary>Drops the fraction of a second, which an HTTP-date cannot carry, so dates compare as clients see them.</summary>
    public static DateTimeOffset ToWholeSeconds(DateTimeOffset date) =>
        DateTimeOffset.FromUnixTimeSeconds(date.ToUnixTimeSeconds());

    /// <summary>Parses an HTTP-date in any of its three forms (RFC 9110 §5.6.7); false for anything else.</summary>
    public static bool TryParse(ReadOnlySpan<char> value, out DateTimeOffset date) =>
        DateTimeOffset.TryParseExact(value, Formats, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out date);

    private static Snapshot Create(DateTimeOffset now) =>
        new(now.ToUnixTimeSeconds(), Environment.TickCount64 + 1000 - now.Millisecond,
            Encoding.ASCII.GetBytes(now.ToString("r", System.Globalization.CultureInfo.InvariantCulture)));
}
