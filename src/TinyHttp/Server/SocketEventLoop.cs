using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace TinyHttp.Server;

/// <summary>
/// SocketEventLoop waits for connections (plain and TLS) on Linux with one epoll instance and runs what was waiting on
/// the thread that saw the event: the receive completes, the request is parsed, a synchronous handler runs and its response is
/// sent, all before the thread waits again. The runtime's socket engine instead hands every completion from its epoll
/// thread to the thread pool, and that hand-off (a wake-up and a context switch per request) was most of the cost
/// TinyHttp could not remove on its own side (docs/performance.md).
/// <para>
/// Sockets are registered once, edge-triggered (see <see cref="SocketReadiness"/>): each edge goes to one thread, and a
/// thread takes one event at a time. (A connection's receive and its send are separate waits: the read-ahead of an
/// async handler and the handler's own send can go on on two threads at once, as they could on the thread pool.) There is one loop thread per processor. A handler that blocks
/// holds its thread, as it would hold a thread-pool thread, and the other loop threads go on serving; when every loop
/// thread has been busy for two checks in a row (half a second apart) without finishing anything, another thread joins,
/// and threads beyond one per processor leave after a while without events.
/// </para>
/// <para>
/// One loop serves every server in the process. Set the environment variable <c>TINYHTTP_SOCKET_EVENT_LOOP=0</c> to
/// use the runtime's socket engine instead (the only way on other operating systems).
/// </para>
/// </summary>
internal sealed class SocketEventLoop
{
    private const int StarvationCheckMilliseconds = 500;
    private const int ExtraThreadIdleMilliseconds = 20_000;
    private const int MaxThreads = 256;
    private const int PollMicroseconds = 50;
    private static readonly long PollTicks = Stopwatch.Frequency * PollMicroseconds / 1_000_000;
    // A gap this long between two polls means the thread lost its core to another: polling stops for PollBackOff.
    private static readonly long PreemptedTicks = Stopwatch.Frequency * 100 / 1_000_000;
    private static readonly long PollBackOffTicks = Stopwatch.Frequency * 50 / 1_000;

    private readonly int _epoll;
    private readonly int _baseThreads;
    private readonly object _slotsLock = new();
    private SocketReadiness?[] _slots = new SocketReadiness?[64];
    private readonly Stack<int> _freeSlots = new();
    private int _nextSlot;
    private int _nextGeneration;
    private int _threads;
    private int _waitingThreads;
    private long _dispatched;
    private long _dispatchedAtLastCheck;
    private int _starvedChecks;
    private int _pollingThread;
    // Until when no thread polls (a Stopwatch timestamp), because a polling thread was preempted.
    private long _pollAgainAt;
    private readonly Timer _starvationCheck;

    [ThreadStatic]
    private static bool s_isLoopThread;

    private SocketEventLoop(int epoll)
    {
        _epoll = epoll;
        _baseThreads = Math.Max(1, Environment.ProcessorCount);
        for (int i = 0; i < _baseThreads; i++)
        {
            StartThread();
        }
        _starvationCheck = new Timer(static state => ((SocketEventLoop)state!).CheckStarvation(), this, StarvationCheckMilliseconds, StarvationCheckMilliseconds);
    }

    /// <summary>The process's loop, or null where there is none (not Linux, or turned off): use the runtime's engine.</summary>
    public static SocketEventLoop? Shared => Holder.Loop;

    private static class Holder
    {
        public static readonly SocketEventLoop? Loop = Create();

        private static SocketEventLoop? Create()
        {
            if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("TINYHTTP_SOCKET_EVENT_LOOP") == "0")
            {
                return null;
            }
            int epoll = Epoll.Create();
            return epoll < 0 ? null : new SocketEventLoop(epoll);
        }
    }

    /// <summary>The loop's threads at this moment: one per processor, and those added while all were blocked.</summary>
    public int ThreadCount => Volatile.Read(ref _threads);

    /// <summary>The epoll instance registrations go into.</summary>
    public int Handle => _epoll;

    /// <summary>Gives <paramref name="readiness"/> a slot; events carry the slot and its generation as their data.</summary>
    public ulong Register(SocketReadiness readiness)
    {
        lock (_slotsLock)
        {
            int slot;
            if (!_freeSlots.TryPop(out slot))
            {
                slot = _nextSlot++;
                if (slot == _slots.Length)
                {
                    Array.Resize(ref _slots, _slots.Length * 2);
                }
            }
            uint generation = (uint)++_nextGeneration;
            if (generation == 0)
            {
                // Data 0 means "not registered"; after four billion registrations the generation wraps past it.
                generation = (uint)++_nextGeneration;
            }
            _slots[slot] = readiness;
            return (ulong)generation << 32 | (uint)slot;
        }
    }

    /// <summary>Frees the slot of <paramref name="data"/>; an event still carrying it finds the slot empty or reused and is dropped.</summary>
    public void Unregister(ulong data)
    {
        lock (_slotsLock)
        {
            _slots[(int)(uint)data] = null;
            _freeSlots.Push((int)(uint)data);
        }
    }

    private void StartThread()
    {
        Interlocked.Increment(ref _threads);
        new Thread(static state => ((SocketEventLoop)state!).Run()) { IsBackground = true, Name = "TinyHttp socket events" }.UnsafeStart(this);
    }

    /// <summary>
    /// Blocks until <paramref name="operation"/> completes (a synchronous write or read that must wait for the network). On a
    /// loop thread, another thread first takes over waiting for events if none is left to: the wait may be for this very
    /// loop, and it should not take the starvation check's half second to notice.
    /// </summary>
    public static void Block(ValueTask operation)
    {
        if (operation.IsCompletedSuccessfully)
        {
            operation.GetAwaiter().GetResult();
            return;
        }
        Task task = operation.AsTask();
        if (s_isLoopThread && !task.IsCompleted)
        {
            Shared!.OnLoopThreadBlocking();
        }
        task.GetAwaiter().GetResult();
    }

    /// <inheritdoc cref="Block(ValueTask)"/>
    public static T Block<T>(ValueTask<T> operation)
    {
        if (operation.IsCompletedSuccessfully)
        {
            return operation.Result;
        }
        Task<T> task = operation.AsTask();
        if (s_isLoopThread && !task.IsCompleted)
        {
            Shared!.OnLoopThreadBlocking();
        }
        return task.GetAwaiter().GetResult();
    }

    private void OnLoopThreadBlocking()
    {
        if (Volatile.Read(ref _waitingThreads) == 0 && Volatile.Read(ref _threads) < MaxThreads)
        {
            StartThread();
        }
    }

    private void Run()
    {
        s_isLoopThread = true;
        // One event per wait, even with one thread: an event taken out of epoll can only be run by the thread that took
        // it, so a batch would leave the rest of it waiting behind a handler that blocks, where no added thread can reach
        // it (and a handler waiting for another request of the same batch would wait forever). Pinned: the kernel
        // writes into it during every wait.
        byte[] events = GC.AllocateUninitializedArray<byte>(Epoll.EventSize, pinned: true);
        while (true)
        {
            Interlocked.Increment(ref _waitingThreads);
            int count = PollBriefly(events);
            if (count == 0)
            {
                count = Epoll.Wait(_epoll, events, ExtraThreadIdleMilliseconds);
            }
            Interlocked.Decrement(ref _waitingThreads);
            if (count == 0 && LeaveIfExtra())
            {
                return;
            }
            for (int i = 0; i < count; i++)
            {
                ulong data = Epoll.DataAt(events, i);
                SocketReadiness? readiness = Volatile.Read(ref _slots)[(int)(uint)data];
                if (readiness is not null && readiness.Data == data)
                {
                    try
                    {
                        readiness.OnEvents(Epoll.EventsAt(events, i));
                    }
                    catch (Exception ex)
                    {
                        // OnEvents reports socket failures to the waiter and continuations catch their own; this is a
                        // bug, and the loop must outlive it. The waiter it was for is failed, so its connection ends.
                        readiness.Fail(ex);
                    }
                }
                Interlocked.Increment(ref _dispatched);
            }
        }
    }

    /// <summary>
    /// Before sleeping, one thread at a time polls for a few microseconds: a client that answers at once (one request
    /// after another on a connection) then finds a thread awake. Waking a sleeping thread costs more than its whole
    /// request, on a virtual machine especially; the runtime's thread pool spins for the same reason.
    /// </summary>
    /// <remarks>
    /// Polling only pays while the thread has its core to itself. When another thread wants the core (the JIT compiling
    /// in the background, another process), a thread that never sleeps has used more than its share, so the scheduler
    /// makes it wait whole time slices, milliseconds, with a request in hand. A thread that sleeps between requests
    /// instead takes the core back as soon as it is woken. So when a poll finds it was preempted (a gap between two
    /// checks far longer than one check takes), no thread polls for the next 50 ms.
    /// </remarks>
    private int PollBriefly(byte[] events)
    {
        long now = Stopwatch.GetTimestamp();
        if (now < Volatile.Read(ref _pollAgainAt) || Interlocked.CompareExchange(ref _pollingThread, 1, 0) != 0)
        {
            return 0;
        }
        try
        {
            long until = now + PollTicks;
            do
            {
                int count = Epoll.Wait(_epoll, events, 0);
                if (count > 0)
                {
                    return count;
                }
                Thread.SpinWait(20);
                long previous = now;
                now = Stopwatch.GetTimestamp();
                if (now - previous > PreemptedTicks)
                {
                    Volatile.Write(ref _pollAgainAt, now + PollBackOffTicks);
                    break;
                }
            }
            while (now < until);
            return 0;
        }
        finally
        {
            Volatile.Write(ref _pollingThread, 0);
        }
    }

    private bool LeaveIfExtra()
    {
        // Only while another thread still waits for events: if every other thread is blocked in a handler, this one
        // stays, or nobody would be left to notice the next event until the starvation check adds a thread again.
        int threads = Volatile.Read(ref _threads);
        return threads > _baseThreads && Volatile.Read(ref _waitingThreads) > 0 && Interlocked.CompareExchange(ref _threads, threads - 1, threads) == threads;
    }

    private void CheckStarvation()
    {
        long dispatched = Interlocked.Read(ref _dispatched);
        bool starved = Volatile.Read(ref _waitingThreads) == 0 && dispatched == _dispatchedAtLastCheck;
        _dispatchedAtLastCheck = dispatched;
        _starvedChecks = starved ? _starvedChecks + 1 : 0;
        if (_starvedChecks >= 2 && Volatile.Read(ref _threads) < MaxThreads)
        {
            _starvedChecks = 0;
            StartThread();
        }
    }
}
