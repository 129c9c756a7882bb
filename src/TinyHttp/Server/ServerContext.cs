using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace TinyHttp.Server;

/// <summary>
/// ServerContext is the running part of a server: listening sockets, accept loops, the set of open
/// connections, the once-a-second heartbeat that enforces timeouts, and the shutdown sequence.
/// </summary>
internal sealed class ServerContext
{
    private readonly ConcurrentDictionary<long, HttpConnection> _connections = new();
    private readonly List<Socket> _listeners = new();
    // The TLS settings of each listener, by position in _listeners; null for plain HTTP.
    private readonly List<TlsEndpoint?> _tls = new();
    private readonly List<Task> _acceptLoops = new();
    private readonly TaskCompletionSource _allConnectionsClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastConnectionId;
    private int _activeConnections;
    private volatile bool _stopping;
    private Timer? _heartbeat;

    public ServerContext(TinyHttpServerOptions options, RequestHandler handler, ServerLog log, ServerMetrics metrics)
    {
        Options = options;
        Handler = handler;
        Log = log;
        Metrics = metrics;
        Exchanges = new ExchangePool(options);
    }

    /// <summary>The request and response objects of connections with a request in flight.</summary>
    public ExchangePool Exchanges { get; }

    public ServerMetrics Metrics { get; }

    public TinyHttpServerOptions Options { get; }

    public RequestHandler Handler { get; }

    public ServerLog Log { get; }

    public bool IsStopping => _stopping;

    public int ActiveConnectionCount => Volatile.Read(ref _activeConnections);

    /// <summary>Binds and listens on every endpoint, or on none: a failure closes what was already bound.</summary>
    /// <exception cref="IOException">An endpoint could not be bound; the message names it.</exception>
    public IReadOnlyList<EndPoint> Bind(IList<EndPoint> endPoints)
    {
        var bound = new List<EndPoint>();
        try
        {
            foreach (EndPoint endPoint in endPoints.Count == 0 ? [new IPEndPoint(IPAddress.Loopback, 0)] : endPoints)
            {
                HttpsOptions? https = Options.HttpsFor(endPoint);
                Socket? listener = Listen(endPoint);
                if (listener is not null)
                {
                    _listeners.Add(listener);
                    _tls.Add(https is null ? null : new TlsEndpoint(https));
                    bound.Add(listener.LocalEndPoint!);
                }
            }
        }
        catch
        {
            CloseListeners();
            throw;
        }
        return bound;
    }

    public void StartAccepting()
    {
        for (int i = 0; i < _listeners.Count; i++)
        {
            Log.Listening(_listeners[i].LocalEndPoint!);
            _acceptLoops.Add(AcceptLoopAsync(_listeners[i], _tls[i]));
        }
        _heartbeat = new Timer(static state => ((ServerContext)state!).OnHeartbeat(), this, 1000, 1000);
    }

    private static Socket? Listen(EndPoint endPoint)
    {
        Socket socket;
        if (endPoint is UnixDomainSocketEndPoint unix)
        {
            RemoveStaleUnixSocket(unix);
            socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        }
        else
        {
            socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            if (endPoint is IPEndPoint ip && ip.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }
            // No ReuseAddress: on Linux .NET maps it to SO_REUSEPORT too, which would let a second server
            // bind a port that is in use instead of failing. .NET already sets SO_REUSEADDR for TIME_WAIT.
        }
        try
        {
            socket.Bind(endPoint);
            socket.Listen(512);
            return socket;
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            if (endPoint is TinyHttpServerOptions.LocalhostIPv6EndPoint
                && ex.SocketErrorCode is SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported)
            {
                return null;
            }
            throw new IOException($"TinyHttp could not listen on {Describe(endPoint)}: {ex.Message}", ex);
        }
    }

    // A socket file left by a process that died refuses connections; one that accepts them is in use and
    // makes Bind fail with "address in use". Sockets have size 0, which keeps a regular file safe from deletion.
    private static void RemoveStaleUnixSocket(UnixDomainSocketEndPoint endPoint)
    {
        string path = endPoint.ToString();
        if (!File.Exists(path) || new FileInfo(path).Length != 0)
        {
            return;
        }
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(endPoint);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            File.Delete(path);
        }
    }

    internal static string Describe(EndPoint endPoint) => endPoint switch
    {
        UnixDomainSocketEndPoint unix => $"unix:{unix}",
        IPEndPoint { AddressFamily: AddressFamily.InterNetworkV6 } ip => $"http://[{ip.Address}]:{ip.Port}",
        IPEndPoint ip => $"http://{ip.Address}:{ip.Port}",
        _ => endPoint.ToString() ?? "an endpoint",
    };

    /// <summary>True when the bound endpoint at <paramref name="index"/> serves HTTPS.</summary>
    public bool IsHttps(int index) => _tls[index] is not null;

    private async Task AcceptLoopAsync(Socket listener, TlsEndpoint? tls)
    {
        EndPoint? localEndPoint = listener.LocalEndPoint;
        while (true)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (_stopping && ex is ObjectDisposedException or SocketException)
            {
                return;
            }
            catch (SocketException ex)
            {
                // Running out of descriptors or a peer resetting during the handshake: log it and keep accepting.
                Log.AcceptFailed(localEndPoint, ex);
                if (ex.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable)
                {
                    await Task.Delay(50).ConfigureAwait(false);
                }
                continue;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            if (socket.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            {
                socket.NoDelay = true;
            }
            if (Interlocked.Increment(ref _activeConnections) > Options.MaxConcurrentConnections)
            {
                Interlocked.Decrement(ref _activeConnections);
                RefuseConnection(socket, isTls: tls is not null);
                continue;
            }
            Run(tls is not null ? new TlsTransport(socket, tls) : Options.TransportFactory?.Invoke(socket) ?? new SocketTransport(socket));
        }
    }

    /// <summary>Runs an HTTP connection over a transport that did not come from a listener (<see cref="InMemoryTransport"/>).</summary>
    /// <exception cref="InvalidOperationException">The server is stopping.</exception>
    public void Accept(ConnectionTransport transport)
    {
        if (_stopping)
        {
            transport.Dispose();
            throw new InvalidOperationException("The server is stopping; it takes no new connections.");
        }
        // MaxConcurrentConnections is a guard against sockets a client opens; an in-memory connection is the test's own.
        Interlocked.Increment(ref _activeConnections);
        Run(transport);
    }

    private void Run(ConnectionTransport transport)
    {
        Metrics.ConnectionOpened();
        var connection = new HttpConnection(this, transport, Interlocked.Increment(ref _lastConnectionId));
        _connections[connection.Id] = connection;
        ThreadPool.UnsafeQueueUserWorkItem(connection, preferLocal: false);
    }

    /// <summary>Over MaxConcurrentConnections: answer 503 without reading the request, then close.</summary>
    private void RefuseConnection(Socket socket, bool isTls)
    {
        Log.ConnectionRejected(socket.RemoteEndPoint, Options.MaxConcurrentConnections ?? 0);
        Metrics.ConnectionRejected();
        try
        {
            socket.Blocking = false;
            // A TLS client waits for a ServerHello: plain text would only be a protocol error to it, so it gets the close.
            if (!isTls)
            {
                socket.Send(ErrorBodies.ServiceUnavailableResponse(), SocketFlags.None, out _);
            }
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ConnectionTransport.IsConnectionFailure(ex))
        {
        }
        socket.Dispose();
    }

    public void OnConnectionClosed(HttpConnection connection)
    {
        _connections.TryRemove(connection.Id, out _);
        Metrics.ConnectionClosed();
        // The counter, not the dictionary, decides "all closed": it reaches 0 only after every connection has left.
        if (Interlocked.Decrement(ref _activeConnections) == 0 && _stopping)
        {
            _allConnectionsClosed.TrySetResult();
        }
    }

    private void OnHeartbeat()
    {
        long now = Environment.TickCount64;
        foreach (KeyValuePair<long, HttpConnection> entry in _connections)
        {
            entry.Value.OnHeartbeat(now);
        }
    }

    /// <summary>
    /// Stops accepting, closes idle connections, waits for in-flight requests until <paramref name="drainToken"/>
    /// fires, then aborts what is left (their handlers' tokens fire; handlers that ignore them are not awaited).
    /// </summary>
    public async Task StopAsync(CancellationToken drainToken)
    {
        _stopping = true;
        Log.StopStarted(_connections.Count);
        CloseListeners();
        await Task.WhenAll(_acceptLoops).ConfigureAwait(false);

        foreach (KeyValuePair<long, HttpConnection> entry in _connections)
        {
            entry.Value.OnServerStopping();
        }
        if (Volatile.Read(ref _activeConnections) == 0)
        {
            _allConnectionsClosed.TrySetResult();
        }
        try
        {
            await _allConnectionsClosed.Task.WaitAsync(drainToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (drainToken.IsCancellationRequested)
        {
            Log.StopAborting(_connections.Count);
            foreach (KeyValuePair<long, HttpConnection> entry in _connections)
            {
                entry.Value.Abort();
            }
        }
        _heartbeat?.Dispose();
        Metrics.Dispose();
        Log.StopCompleted();
    }

    private void CloseListeners()
    {
        foreach (Socket listener in _listeners)
        {
            EndPoint? endPoint = listener.LocalEndPoint;
            listener.Dispose();
            if (endPoint is UnixDomainSocketEndPoint unix)
            {
                try
                {
                    File.Delete(unix.ToString());
                }
                catch (IOException)
                {
                }
            }
        }
    }
}
