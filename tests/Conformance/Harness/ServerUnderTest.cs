using System;
using System.Net;
using System.Threading.Tasks;

namespace TinyHttp.Conformance;

/// <summary>IServerUnderTest is a server the cases can run against: TinyHttp, or a peer such as Kestrel.</summary>
public interface IServerUnderTest
{
    /// <summary>Name is how the report calls the server.</summary>
    string Name { get; }

    /// <summary>
    /// LeaseAsync returns a running server with the conformance handler: the shared one when <paramref name="limits"/>
    /// is null, otherwise one started for the lease with those limits and stopped when the lease is disposed.
    /// </summary>
    Task<ServerLease> LeaseAsync(CaseLimits? limits);
}

/// <summary>ServerLease is a running server's endpoint, held for one case.</summary>
public sealed class ServerLease : IAsyncDisposable
{
    private readonly Func<ValueTask>? _release;

    /// <summary>Creates a lease on <paramref name="endPoint"/>; <paramref name="release"/> stops a server started for it.</summary>
    public ServerLease(EndPoint endPoint, Func<ValueTask>? release)
    {
        EndPoint = endPoint;
        _release = release;
    }

    /// <summary>EndPoint is where the server listens.</summary>
    public EndPoint EndPoint { get; }

    /// <summary>Stops the server if it was started for this lease.</summary>
    public ValueTask DisposeAsync() => _release?.Invoke() ?? ValueTask.CompletedTask;
}
