using System;
using System.Threading.Tasks;
using TinyHttp.Testing;

namespace TinyHttp.Conformance;

/// <summary>
/// ICaseClient is the client end of a case's connection: it sends exactly the bytes it is given and reads back whole
/// responses, framed by Content-Length, chunked coding or close, with the 1xx responses before each final one.
/// Every read is bounded by the read timeout given when it connected: a <see cref="TimeoutException"/> when nothing
/// complete arrives in time, an <see cref="System.IO.IOException"/> when the connection ends first, a
/// <see cref="FormatException"/> when the bytes are not a response.
/// </summary>
internal interface ICaseClient : IAsyncDisposable
{
    /// <summary>Sends <paramref name="bytes"/> exactly, in one write.</summary>
    Task SendAsync(ReadOnlyMemory<byte> bytes);

    /// <summary>Sends <paramref name="bytes"/> one byte per write, with no pause between writes.</summary>
    Task SendByteByByteAsync(ReadOnlyMemory<byte> bytes);

    /// <summary>Ends the client's side of the stream, so the server reads end-of-input; the client can still read.</summary>
    ValueTask ShutdownSendAsync();

    /// <summary>Reads one final response and the interim responses before it.</summary>
    Task<ObservedResponse> ReadResponseAsync(bool isHead);

    /// <summary>Reads the next response alone, interim or final, to act between a <c>100 Continue</c> and the final response.</summary>
    Task<RawHttpResponse> ReadNextAsync();

    /// <summary>Reads everything until the server ends the connection; empty when it sends nothing more.</summary>
    Task<byte[]> ReadToEndAsync();
}

/// <summary>CaseClient opens the client a lease calls for: plain TCP through TinyHttp.Testing's raw client, or TLS.</summary>
internal static class CaseClient
{
    public static async Task<ICaseClient> ConnectAsync(ServerLease lease, TimeSpan readTimeout)
    {
        if (lease.ServerCertificate is not null)
        {
            return await TlsCaseClient.ConnectAsync(lease.EndPoint, lease.ServerCertificate, readTimeout).ConfigureAwait(false);
        }
        RawHttpConnection connection = await RawHttpConnection.ConnectAsync(lease.EndPoint).ConfigureAwait(false);
        connection.ReadTimeout = readTimeout;
        return new TcpCaseClient(connection);
    }

    private sealed class TcpCaseClient(RawHttpConnection connection) : ICaseClient
    {
        public Task SendAsync(ReadOnlyMemory<byte> bytes) => connection.SendAsync(bytes);

        // With Nagle off each send is its own segment, and no timing is involved.
        public Task SendByteByByteAsync(ReadOnlyMemory<byte> bytes) => connection.SendSlowlyAsync(bytes, bytesPerSend: 1, pause: TimeSpan.Zero);

        public ValueTask ShutdownSendAsync()
        {
            connection.ShutdownSend();
            return ValueTask.CompletedTask;
        }

        public async Task<ObservedResponse> ReadResponseAsync(bool isHead)
        {
            RawHttpResponse response = await connection.ReadResponseAsync(isHead).ConfigureAwait(false);
            return new ObservedResponse(response, response.InterimResponses, isHead);
        }

        public Task<RawHttpResponse> ReadNextAsync() => connection.ReadNextResponseAsync();

        public Task<byte[]> ReadToEndAsync() => connection.ReadToEndAsync();

        public ValueTask DisposeAsync() => connection.DisposeAsync();
    }
}
