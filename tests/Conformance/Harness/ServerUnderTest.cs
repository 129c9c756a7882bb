using System;
using System.Net;
using System.Security.Cryptography.X509Certificates;
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

    /// <summary>
    /// Creates a lease on <paramref name="endPoint"/>; <paramref name="release"/> stops a server started for it. With
    /// <paramref name="serverCertificate"/> the endpoint speaks TLS and presents that certificate.
    /// </summary>
    public ServerLease(EndPoint endPoint, Func<ValueTask>? release, X509Certificate2? serverCertificate = null)
    {
        EndPoint = endPoint;
        _release = release;
        ServerCertificate = serverCertificate;
    }

    /// <summary>EndPoint is where the server listens.</summary>
    public EndPoint EndPoint { get; }

    /// <summary>ServerCertificate is the certificate a TLS endpoint presents, the only one its client trusts; null for plain TCP.</summary>
    public X509Certificate2? ServerCertificate { get; }

    /// <summary>Stops the server if it was started for this lease.</summary>
    public ValueTask DisposeAsync() => _release?.Invoke() ?? ValueTask.CompletedTask;
}
