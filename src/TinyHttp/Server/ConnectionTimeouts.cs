using System;
using System.Threading;

namespace TinyHttp.Server;

/// <summary>What the heartbeat asks of a connection.</summary>
internal enum TimeoutAction : byte
{
    None,
    /// <summary>A wait ran out: end the receive side, so the pending receive returns and the connection answers 408 or closes.</summary>
    WakeReceive,
    /// <summary>The client reads the response too slowly: reset the connection.</summary>
    Abort,
}

/// <summary>The phases of a connection that the timeouts care about.</summary>
internal enum ConnectionPhase
{
    /// <summary>Between requests, waiting for the first byte of the next head (KeepAliveTimeout, or RequestHeadersTimeout for the first).</summary>
    Idle,
    /// <summary>Part of a head has arrived (RequestHeadersTimeout).</summary>
    ReadingHead,
    /// <summary>The handler runs; no deadline.</summary>
    Processing,
    /// <summary>Waiting for request body bytes (MinRequestBodyDataRate).</summary>
    ReadingBody,
    /// <summary>Reading what the client still sends after our last response, briefly, before closing.</summary>
    Closing,
    /// <summary>A deadline passed; final.</summary>
    TimedOut,
    /// <summary>The server is stopping and closed the idle connection; final.</summary>
    ClosedByServer,
    /// <summary>The transport is starting: a TLS handshake (HttpsOptions.HandshakeTimeout).</summary>
    Handshaking,
}

/// <summary>
/// ConnectionTimeouts is the one place every deadline of a connection lives: the phase with its deadline, the
/// request body's data rate and the response's send clock. The connection moves the phase; the server's
/// once-a-second heartbeat calls <see cref="OnHeartbeat"/> from another thread. It is pure: time comes in as
/// arguments (milliseconds, <see cref="Environment.TickCount64"/>), so the rules are testable without a socket.
/// </summary>
internal sealed class ConnectionTimeouts(MinDataRate? requestBodyRate, MinDataRate? responseRate)
{
    private int _phase;
    private long _deadline = long.MaxValue;

    // Request body data rate: time spent waiting for body bytes, when the current wait began, bytes read so far.
    private long _bodyWaited;
    private long _bodyWaitStartedAt;
    private long _bodyBytesRead;

    // When the pending send must have completed, or 0 when none is pending.
    private long _sendDeadline;

    public ConnectionPhase Phase => (ConnectionPhase)Volatile.Read(ref _phase);

    /// <summary>True once a deadline passed or the server closed the idle connection.</summary>
    public bool HasEnded => Phase is ConnectionPhase.TimedOut or ConnectionPhase.ClosedByServer;

    /// <summary>The deadline of the current phase (long.MaxValue for none).</summary>
    public long Deadline => Volatile.Read(ref _deadline);

    /// <summary>Moves to <paramref name="phase"/> with a deadline, unless the heartbeat or a shutdown ended the connection first.</summary>
    public bool TryEnter(ConnectionPhase phase, long deadline)
    {
        int current = Volatile.Read(ref _phase);
        if ((ConnectionPhase)current is ConnectionPhase.TimedOut or ConnectionPhase.ClosedByServer)
        {
            return false;
        }
        Volatile.Write(ref _deadline, deadline);
        if ((ConnectionPhase)current == ConnectionPhase.Processing)
        {
            // Neither the heartbeat nor a stopping server moves a connection out of Processing, so nothing can race
            // this change: a plain write does (the deadline is written first, as with the exchange below).
            Volatile.Write(ref _phase, (int)phase);
            return true;
        }
        return Interlocked.CompareExchange(ref _phase, (int)phase, current) == current;
    }

    /// <summary>Moves to <paramref name="phase"/> with a deadline <paramref name="timeout"/> from <paramref name="now"/>.</summary>
    public bool TryEnter(ConnectionPhase phase, TimeSpan timeout, long now) => TryEnter(phase, now + (long)timeout.TotalMilliseconds);

    /// <summary>
    /// Ends an idle connection (or one still in its TLS handshake) for a stopping server; false when the connection is
    /// busy (it closes after its response).
    /// </summary>
    public bool TryCloseIdle() =>
        Interlocked.CompareExchange(ref _phase, (int)ConnectionPhase.ClosedByServer, (int)ConnectionPhase.Idle) == (int)ConnectionPhase.Idle
        || Interlocked.CompareExchange(ref _phase, (int)ConnectionPhase.ClosedByServer, (int)ConnectionPhase.Handshaking) == (int)ConnectionPhase.Handshaking;

    /// <summary>Starts a new request body's rate accounting.</summary>
    public void ResetBodyRate()
    {
        _bodyWaited = 0;
        _bodyBytesRead = 0;
    }

    public void BeginBodyWait(long now)
    {
        Volatile.Write(ref _bodyWaitStartedAt, now);
        TryEnter(ConnectionPhase.ReadingBody, long.MaxValue);
    }

    /// <summary>Ends a wait for body bytes; returns false when the body came too slowly (the heartbeat timed it out).</summary>
    public bool EndBodyWait(long now, int received)
    {
        // Leave ReadingBody first: once the phase has moved, the heartbeat can no longer time this wait out, so it never
        // sees the wait both in _bodyWaited and as still running. Failing to move means the heartbeat won.
        bool inTime = TryEnter(ConnectionPhase.Processing, long.MaxValue);
        Volatile.Write(ref _bodyWaited, _bodyWaited + (now - _bodyWaitStartedAt));
        if (received > 0)
        {
            Volatile.Write(ref _bodyBytesRead, _bodyBytesRead + received);
        }
        return inTime;
    }

    /// <summary>A send of <paramref name="bytes"/> begins: it must complete within what MinResponseDataRate allows.</summary>
    public void StartSendClock(int bytes, long now)
    {
        if (responseRate is not null)
        {
            Volatile.Write(ref _sendDeadline, now + responseRate.AllowedMilliseconds(bytes));
        }
    }

    public void StopSendClock() => Volatile.Write(ref _sendDeadline, 0);

    /// <summary>Called by the heartbeat once a second; says what the connection must do, and ends the phase if it timed out.</summary>
    public TimeoutAction OnHeartbeat(long now)
    {
        long sendDeadline = Volatile.Read(ref _sendDeadline);
        if (sendDeadline != 0 && now > sendDeadline)
        {
            return TimeoutAction.Abort;
        }
        int phase = Volatile.Read(ref _phase);
        if ((ConnectionPhase)phase == ConnectionPhase.ReadingBody)
        {
            if (requestBodyRate is null)
            {
                return TimeoutAction.None;
            }
            long waited = Volatile.Read(ref _bodyWaited) + (now - Volatile.Read(ref _bodyWaitStartedAt));
            return waited > requestBodyRate.AllowedMilliseconds(Volatile.Read(ref _bodyBytesRead)) && TryTimeOut(phase)
                ? TimeoutAction.WakeReceive
                : TimeoutAction.None;
        }
        if (now < Volatile.Read(ref _deadline))
        {
            return TimeoutAction.None;
        }
        return (ConnectionPhase)phase is ConnectionPhase.Idle or ConnectionPhase.ReadingHead or ConnectionPhase.Closing or ConnectionPhase.Handshaking
            && TryTimeOut(phase)
            ? TimeoutAction.WakeReceive
            : TimeoutAction.None;
    }

    private bool TryTimeOut(int phase) =>
        Interlocked.CompareExchange(ref _phase, (int)ConnectionPhase.TimedOut, phase) == phase;
}
