using System;

namespace TinyHttp;

/// <summary>
/// MinDataRate is the slowest a peer may send (request bodies) or receive (responses) once a grace period has
/// passed. It protects the server from clients that trickle bytes to hold a connection and its buffers.
/// </summary>
public sealed class MinDataRate
{
    /// <summary>Creates a rate of <paramref name="bytesPerSecond"/>, enforced after <paramref name="gracePeriod"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The rate is not positive or the grace period is negative.</exception>
    public MinDataRate(double bytesPerSecond, TimeSpan gracePeriod)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytesPerSecond);
        ArgumentOutOfRangeException.ThrowIfLessThan(gracePeriod, TimeSpan.Zero);
        BytesPerSecond = bytesPerSecond;
        GracePeriod = gracePeriod;
    }

    /// <summary>The minimum average rate, in bytes per second.</summary>
    public double BytesPerSecond { get; }

    /// <summary>How long a transfer may run below the rate before it is enforced.</summary>
    public TimeSpan GracePeriod { get; }

    /// <summary>Milliseconds a transfer of <paramref name="bytes"/> may take: the grace period plus the time the rate allows.</summary>
    internal long AllowedMilliseconds(long bytes) => (long)(GracePeriod.TotalMilliseconds + bytes * 1000 / BytesPerSecond);

    /// <summary>A one-line description, e.g. <c>240 B/s after 00:00:05</c>.</summary>
    public override string ToString() => $"{BytesPerSecond} B/s after {GracePeriod}";
}
