using System;
using TinyHttp.Server;
using Xunit;

namespace TinyHttp.Tests.Server;

// ConnectionPhase and TimeoutAction are internal, so the tables name them as strings: a public test method cannot
// take an internal type as a parameter. Time is an argument in milliseconds; no test waits for a clock.
public class ConnectionTimeoutsTests
{
    // An arbitrary Environment.TickCount64: far from 0, which the send clock uses to mean "no send pending".
    private const long T0 = 1_000_000;
    private const long OneDay = 24 * 60 * 60 * 1000;

    // The defaults of MinRequestBodyDataRate and MinResponseDataRate: 240 B/s after 5 s, so a transfer of n bytes is
    // allowed 5000 + n * 1000 / 240 ms (2400 bytes: 15 s).
    private static readonly MinDataRate DefaultRate = new(240, TimeSpan.FromSeconds(5));

    private static ConnectionPhase Phase(string name) => Enum.Parse<ConnectionPhase>(name);

    private static ConnectionTimeouts TimedOutConnection()
    {
        var timeouts = new ConnectionTimeouts(DefaultRate, DefaultRate);
        timeouts.TryEnter(ConnectionPhase.Idle, T0);
        Assert.Equal(TimeoutAction.WakeReceive, timeouts.OnHeartbeat(T0 + 1));
        return timeouts;
    }

    private static ConnectionTimeouts ClosedByServerConnection()
    {
        var timeouts = new ConnectionTimeouts(DefaultRate, DefaultRate);
        Assert.True(timeouts.TryCloseIdle());
        return timeouts;
    }

    // ---- Phases and their deadlines ----

    // An accepted connection waits for its first request: Idle, with no deadline until the connection sets
    // RequestHeadersTimeout's.
    [Fact]
    public void ANewConnection_IsIdleWithoutADeadline()
    {
        var timeouts = new ConnectionTimeouts(DefaultRate, DefaultRate);

        Assert.Equal(ConnectionPhase.Idle, timeouts.Phase);
        Assert.Equal(long.MaxValue, timeouts.Deadline);
        Assert.False(timeouts.HasEnded);
    }

    [Theory]
    [InlineData("Idle")]
    [InlineData("ReadingHead")]
    [InlineData("Processing")]
    [InlineData("ReadingBody")]
    [InlineData("Closing")]
    public void TryEnter_MovesThePhaseAndSetsItsDeadline(string phase)
    {
        var timeouts = new ConnectionTimeouts(DefaultRate, DefaultRate);
        timeouts.TryEnter(ConnectionPhase.Processing, long.MaxValue);

        Assert.True(timeouts.TryEnter(Phase(phase), T0 + 30_000));

        Assert.Equal(Phase(phase), timeouts.Phase);
        Assert.Equal(T0 + 30_000, timeouts.Deadline);
        Assert.False(timeouts.HasEnded);
    }

    // KeepAliveTimeout (130 s by default) runs from the moment the connection goes idle.
    [Fact]
    public void TryEnter_WithATimeout_SetsTheDeadlineThatFarFromNow()
    {
        var timeouts = new ConnectionTimeouts(DefaultRate, DefaultRate);

        Assert.True(timeouts.TryEnter(ConnectionPhase.Idle, TimeSpan.FromSeconds(130), T0));

        Assert.Equal(T0 + 130_000, timeouts.Deadline);
    }

    // TimedOut and ClosedByServer are final: a request that arrives as the heartbeat or a shutdown ends the
    // connection loses the race, and the connection closes instead of serving it.
    [Theory]
    [InlineData("TimedOut", "Idle")]
    [InlineData("TimedOut", "ReadingHead")]
    [InlineData("TimedOut", "Processing")]
    [InlineData("TimedOut", "ReadingBody")]
    [InlineData("TimedOut", "Closing")]
    [InlineData("ClosedByServer", "Idle")]
    [InlineData("ClosedByServer", "ReadingHead")]
    [InlineData("ClosedByServer", "Processing")]
    [InlineData("ClosedByServer", "ReadingBody")]
    [InlineData("ClosedByServer", "Closing")]
    public void TryEnter_FailsOnceTheConnectionHasEnded(string endedIn, string next)
    {
        ConnectionTimeouts timeouts = endedIn == "TimedOut" ? TimedOutConnection() : ClosedByServerConnection();

        Assert.False(timeouts.TryEnter(Phase(next), long.MaxValue));

        Assert.Equal(Phase(endedIn), timeouts.Phase);
        Assert.True(timeouts.HasEnded);
    }

    // Idle: RequestHeadersTimeout from accept for the first request, KeepAliveTimeout between requests.
    // ReadingHead: RequestHeadersTimeout. Closing: the fixed 2 s linger after the last response.
    [Theory]
    [InlineData("Idle")]
    [InlineData("ReadingHead")]
    [InlineData("Closing")]
    public void Heartbeat_BeforeTheDeadline_DoesNothing(string phase)
    {
        var timeouts = new ConnectionTimeouts(DefaultRate, DefaultRate);
        timeouts.TryEnter(Phase(phase), T0 + 30_000);

        Assert.Equal(TimeoutAction.None, timeouts.OnHeartbeat(T0));
        Assert.Equal(TimeoutAction.None, timeouts.OnHeartbeat(T0 + 29_999));

        Assert.Equal(Phase(phase), timeouts.Phase);
    }

    [Theory]
    [InlineData("Idle")]
    [InlineData("ReadingHead")]
    [InlineData("Closing")]
    public void Heartbeat_AfterTheDeadline_WakesTheReceiveOnceAndEndsTheConnection(string phase)
    {
        var timeouts = new ConnectionTimeouts(DefaultRate, DefaultRate);
        timeouts.TryEnter(Phase(phase), T0 + 30_000);

        Assert.Equal(TimeoutAction.WakeReceive, timeouts.OnHeartbeat(T0 + 30_001));

        Assert.Equal(ConnectionPhase.TimedOut, timeouts.Phase);
        Assert.True(timeouts.HasEnded);
        // The receive is already woken; the next heartbeat has nothing more to ask.
        Assert.Equal(TimeoutAction.None, timeouts.OnHeartbeat(T0 + 31_001));
    }

    // The handler runs as long as it likes: no option bounds it, whatever deadline the phase was entered with.
    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(T0)]
    public void Processing_NeverTimesOut(long deadline)
    {
        var timeouts = new ConnectionTimeouts(DefaultRate, DefaultRate);
        timeouts.TryEnter(ConnectionPhase.Processing, deadline);

        Assert.Equal(TimeoutAction.None, timeouts.OnHeartbeat(T0 + OneDay));

        Assert.Equal(ConnectionPhase.Processing, timeouts.Phase);
    }

    // StopAsync closes connections between requests at once; a busy one closes after its response.
    [Fact]
    public void TryCloseIdle_ClosesAnIdleConnection()
    {
        var timeouts = new ConnectionTimeouts(DefaultRate, DefaultRate);
        timeouts.TryEnter(ConnectionPhase.Idle, T0 + 30_000);

        Assert.True(timeouts.TryCloseIdle());

        Assert.Equal(ConnectionPhase.ClosedByServer, timeouts.Phase);
        Assert.True(timeouts.HasEnded);
        // Closed already: its old KeepAliveTimeout deadline asks nothing more.
        Assert.Equal(TimeoutAction.None, timeouts.OnHeartbeat(T0 + 30_001));
    }

    [Theory]
    [InlineData("ReadingHead")]
    [InlineData("Processing")]
    [InlineData("ReadingBody")]
    [InlineData("Closing")]
    public void TryCloseIdle_LeavesABusyConnectionAlone(string phase)
    {
        var timeouts = new ConnectionTimeouts(DefaultRate, DefaultRate);
        timeouts.TryEnter(Phase(phase), T0 + 30_000);

        Assert.False(timeouts.TryCloseIdle());

        Assert.Equal(Phase(phase), timeouts.Phase);
    }

    [Fact]
    public void TryCloseIdle_LeavesATimedOutConnectionTimedOut()
    {
        ConnectionTimeouts timeouts = TimedOutConnection();

        Assert.False(timeouts.TryCloseIdle());

        Assert.Equal(ConnectionPhase.TimedOut, timeouts.Phase);
    }

    // ---- MinRequestBodyDataRate: time spent waiting for body bytes may not exceed grace + bytes read / rate ----

    [Fact]
    public void BodyWait_WithinTheGracePeriod_DoesNotTimeOut()
    {
        var timeouts = new ConnectionTimeouts(DefaultRate, DefaultRate);
        timeouts.TryEnter(ConnectionPhase.Processing, long.MaxValue);
        timeouts.ResetBodyRate();

        timeouts.BeginBodyWait(T0);

        Assert.Equal(ConnectionPhase.ReadingBody, timeouts.Phase);
        Assert.Equal(TimeoutAction.None, timeouts.OnHeartbeat(T0 + 1_000));
        Assert.Equal(TimeoutAction.None, timeouts.OnHeartbeat(T0 + 4_999));
        Assert.True(timeouts.EndBodyWait(T0 + 4_999, 100));
        Assert.Equal(ConnectionPhase.Processing, timeouts.Phase);
    }

    [Fact]
    public void BodyWait_PastItsAllowance_WakesTheReceiveAndTheWaitReportsIt()
    {
        var timeouts = new ConnectionTimeouts(DefaultRate, DefaultRate);
        timeouts.TryEnter(ConnectionPhase.Processing, long.MaxValue);
        timeouts.ResetBodyRate();
        timeouts.BeginBodyWait(T0);

        Assert.Equal(TimeoutAction.WakeReceive, timeouts.OnHeartbeat(T0 + 5_001));

        Assert.Equal(ConnectionPhase.TimedOut, timeouts.Phase);
        Assert.Equal(TimeoutAction.None, timeouts.OnHeartbeat(T0 + 6_001));
        // The woken receive returns; the reader learns the body came too slowly (and answers 408), even if bytes came.
        Assert.False(timeouts.EndBodyWait(T0 + 6_002, 10));
        Assert.Equal(ConnectionPhase.TimedOut, timeouts.Phase);
    }

    // The allowance is the grace period plus bytes read so far * 1000 / rate, in milliseconds.
    [Theory]
    [InlineData(0, 4_000L, "None")]
    [InlineData(0, 6_000L, "WakeReceive")]
    [InlineData(2_400, 14_000L, "None")]
    [InlineData(2_400, 16_000L, "WakeReceive")]
    [InlineData(240_000, 1_004_000L, "None")]
    [InlineData(240_000, 1_006_000L, "WakeReceive")]
    public void BodyWait_IsAllowedTheGracePeriodPlusWhatTheRateAllowsForTheBytesRead(int bytesRead, long waited, string expected)
    {
        var timeouts = new ConnectionTimeouts(DefaultRate, DefaultRate);
        timeouts.TryEnter(ConnectionPhase.Processing, long.MaxValue);
        timeouts.ResetBodyRate();
        timeouts.BeginBodyWait(T0);
        timeouts.EndBodyWait(T0, bytesRead);

        timeouts.BeginBodyWait(T0);

        Assert.Equal(expected, timeouts.OnHeartbeat(T0 + waited).ToString());
    }

    // A client that keeps sending keeps its connection: each byte buys 1000 / rate more milliseconds of waiting.
    [Fact]
    public void BytesReceived_ExtendTheAllowance()
    {
        var withBytes = new ConnectionTimeouts(DefaultRate, DefaultRate);
        var withoutBytes = new ConnectionTimeouts(DefaultRate, DefaultRate);
        foreach (ConnectionTimeouts timeouts in new[] { withBytes, withoutBytes })
        {
            timeouts.TryEnter(ConnectionPhase.Processing, long.MaxValue);
            timeouts.ResetBodyRate();
            timeouts.BeginBodyWait(T0);
        }
        // 4 s waited; 480 bytes at 240 B/s extend the allowance from 5 s to 7 s.
        Assert.True(withBytes.EndBodyWait(T0 + 4_000, 480));
        Assert.True(withoutBytes.EndBodyWait(T0 + 4_000, 1));

        withBytes.BeginBodyWait(T0 + 4_000);
        withoutBytes.BeginBodyWait(T0 + 4_000);

        // 6 s waited in all.
        Assert.Equal(TimeoutAction.None, withBytes.OnHeartbeat(T0 + 6_000));
        Assert.Equal(TimeoutAction.WakeReceive, withoutBytes.OnHeartbeat(T0 + 6_000));
    }

    // The rate judges the client, not the handler: time the handler spends between reads is not waiting.
    [Fact]
    public void OnlyTimeSpentWaiting_CountsAgainstTheRate()
    {
        var timeouts = new ConnectionTimeouts(DefaultRate, DefaultRate);
        timeouts.TryEnter(ConnectionPhase.Processing, long.MaxValue);
        timeouts.ResetBodyRate();
        timeouts.BeginBodyWait(T0);
        Assert.True(timeouts.EndBodyWait(T0 + 3_000, 24));

        // The handler works for a minute (Processing), then waits again: 3 s + 1.9 s is within 5 s + 24 bytes' 100 ms.
        timeouts.BeginBodyWait(T0 + 63_000);
        Assert.Equal(TimeoutAction.None, timeouts.OnHeartbeat(T0 + 64_900));

        // But the waits add up: 3 s + 2.2 s is past it.
        Assert.Equal(TimeoutAction.WakeReceive, timeouts.OnHeartbeat(T0 + 65_200));
    }

    // Each request body gets its own allowance; what an earlier body on the connection waited does not count.
    [Fact]
    public void ResetBodyRate_StartsTheAllowanceAfresh()
    {
        var timeouts = new ConnectionTimeouts(DefaultRate, DefaultRate);
        timeouts.TryEnter(ConnectionPhase.Processing, long.MaxValue);
        timeouts.ResetBodyRate();
        timeouts.BeginBodyWait(T0);
        Assert.True(timeouts.EndBodyWait(T0 + 4_000, 1));

        timeouts.ResetBodyRate();
        timeouts.BeginBodyWait(T0 + 10_000);

        Assert.Equal(TimeoutAction.None, timeouts.OnHeartbeat(T0 + 14_000));
    }

    // MinRequestBodyDataRate = null disables the check.
    [Fact]
    public void NullRequestBodyRate_NeverTimesOutTheBody()
    {
        var timeouts = new ConnectionTimeouts(null, DefaultRate);
        timeouts.TryEnter(ConnectionPhase.Processing, long.MaxValue);
        timeouts.ResetBodyRate();
        timeouts.BeginBodyWait(T0);

        Assert.Equal(TimeoutAction.None, timeouts.OnHeartbeat(T0 + OneDay));

        Assert.Equal(ConnectionPhase.ReadingBody, timeouts.Phase);
        Assert.True(timeouts.EndBodyWait(T0 + OneDay, 1));
        Assert.Equal(ConnectionPhase.Processing, timeouts.Phase);
    }

    // ---- MinResponseDataRate: a send of n bytes must complete within grace + n * 1000 / rate ms ----

    [Theory]
    [InlineData(0, 4_000L, "None")]
    [InlineData(0, 6_000L, "Abort")]
    [InlineData(2_400, 14_000L, "None")]
    [InlineData(2_400, 16_000L, "Abort")]
    [InlineData(240_000, 1_004_000L, "None")]
    [InlineData(240_000, 1_006_000L, "Abort")]
    public void Send_IsAllowedTheGracePeriodPlusWhatTheRateAllowsForItsSize(int bytes, long elapsed, string expected)
    {
        var timeouts = new ConnectionTimeouts(DefaultRate, DefaultRate);
        timeouts.TryEnter(ConnectionPhase.Processing, long.MaxValue);

        timeouts.StartSendClock(bytes, T0);

        Assert.Equal(expected, timeouts.OnHeartbeat(T0 + elapsed).ToString());
    }

    // A client that stops reading is cut off whatever the phase; the send clock is checked before the phase's
    // own deadline, so a slow reader is reset rather than merely woken.
    [Fact]
    public void SlowSend_AbortsEvenWhenThePhaseDeadlineHasAlsoPassed()
    {
        var timeouts = new ConnectionTimeouts(DefaultRate, DefaultRate);
        timeouts.TryEnter(ConnectionPhase.Closing, T0 + 2_000);
        timeouts.StartSendClock(0, T0);

        Assert.Equal(TimeoutAction.Abort, timeouts.OnHeartbeat(T0 + 6_000));
    }

    [Fact]
    public void StopSendClock_ClearsTheClock()
    {
        var timeouts = new ConnectionTimeouts(DefaultRate, DefaultRate);
        timeouts.TryEnter(ConnectionPhase.Processing, long.MaxValue);
        timeouts.StartSendClock(2_400, T0);

        timeouts.StopSendClock();

        Assert.Equal(TimeoutAction.None, timeouts.OnHeartbeat(T0 + OneDay));
    }

    // MinResponseDataRate = null disables the check.
    [Fact]
    public void NullResponseRate_NeverAbortsASend()
    {
        var timeouts = new ConnectionTimeouts(DefaultRate, null);
        timeouts.TryEnter(ConnectionPhase.Processing, long.MaxValue);

        timeouts.StartSendClock(1_000_000, T0);

        Assert.Equal(TimeoutAction.None, timeouts.OnHeartbeat(T0 + OneDay));
    }
}
