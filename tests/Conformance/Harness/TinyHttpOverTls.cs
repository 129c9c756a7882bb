using System.Threading.Tasks;
using Xunit;

namespace TinyHttp.Conformance;

/// <summary>
/// TinyHttpOverTls is the xunit class fixture of a test class that runs cases over TLS: one
/// <see cref="TinyHttpUnderTest.OverTls"/> target for the class, stopped after it.
/// </summary>
public sealed class TinyHttpOverTls : IAsyncLifetime
{
    /// <summary>Server is TinyHttp on an HTTPS endpoint, with the TLS client the cases are sent through.</summary>
    public TinyHttpUnderTest Server { get; } = TinyHttpUnderTest.OverTls();

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    Task IAsyncLifetime.DisposeAsync() => Server.DisposeAsync().AsTask();
}
