using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp.Testing;

namespace TinyHttp.Conformance;

/// <summary>
/// TlsCaseClient is the raw client of the TLS run: a socket wrapped in an <see cref="SslStream"/> that trusts exactly the
/// server's certificate, sending a case's exact bytes (one write is one TLS record) and reading responses as
/// <see cref="RawHttpConnection"/> does over plain TCP. It finds where each response ends by its framing
/// (Content-Length, chunked coding, or the close), then parses those bytes with <see cref="RawHttpResponse.Parse(ReadOnlySpan{byte}, bool)"/>,
/// the same strict parser, so a response the plain run accepts is accepted here and nothing more.
/// </summary>
internal sealed class TlsCaseClient : ICaseClient
{
    // The certificate names "localhost" (and both loopback addresses); SNI carries it as a real client would.
    private const string TargetHost = "localhost";

    private readonly Socket _socket;
    private readonly SslStream _tls;
    private readonly TimeSpan _readTimeout;
    private byte[] _buffer = new byte[16 * 1024];
    private int _buffered;
    private bool _endOfStream;

    private TlsCaseClient(Socket socket, SslStream tls, TimeSpan readTimeout)
    {
        _socket = socket;
        _tls = tls;
        _readTimeout = readTimeout;
    }

    /// <summary>Connects to <paramref name="endPoint"/> and completes the handshake, trusting only <paramref name="serverCertificate"/>.</summary>
    public static async Task<TlsCaseClient> ConnectAsync(EndPoint endPoint, X509Certificate2 serverCertificate, TimeSpan readTimeout)
    {
        byte[] trusted = serverCertificate.RawData;
        // Each write leaves at once, as over plain TCP, so a byte-by-byte case reaches the server as that many records.
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        SslStream? tls = null;
        try
        {
            using var deadline = new CancellationTokenSource(readTimeout);
            await socket.ConnectAsync(endPoint, deadline.Token).ConfigureAwait(false);
            tls = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
            await tls.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    TargetHost = TargetHost,
                    // The server's own certificate, compared byte for byte: no chain, no trust store, no name check to fail.
                    RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetRawCertData().AsSpan().SequenceEqual(trusted),
                },
                deadline.Token).ConfigureAwait(false);
            return new TlsCaseClient(socket, tls, readTimeout);
        }
        catch
        {
            if (tls is not null)
            {
                await tls.DisposeAsync().ConfigureAwait(false);
            }
            socket.Dispose();
            throw;
        }
    }

    public Task SendAsync(ReadOnlyMemory<byte> bytes) => _tls.WriteAsync(bytes).AsTask();

    public async Task SendByteByByteAsync(ReadOnlyMemory<byte> bytes)
    {
        for (int i = 0; i < bytes.Length; i++)
        {
            await _tls.WriteAsync(bytes.Slice(i, 1)).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Sends close_notify, then the FIN: the end of the client's data in TLS's terms (RFC 8446 §6.1: closing one's own
    /// write side; the server may still answer) and in TCP's, as a plain half-close would.
    /// </summary>
    public async ValueTask ShutdownSendAsync()
    {
        await _tls.ShutdownAsync().ConfigureAwait(false);
        _socket.Shutdown(SocketShutdown.Send);
    }

    public async Task<ObservedResponse> ReadResponseAsync(bool isHead)
    {
        using var deadline = new CancellationTokenSource(_readTimeout);
        var interim = new List<RawHttpResponse>();
        while (true)
        {
            RawHttpResponse response = await ReadOneAsync(isHead, deadline.Token).ConfigureAwait(false);
            // As RawHttpConnection: 1xx responses other than 101 come before the final one.
            if (response.StatusCode is >= 100 and < 200 && response.StatusCode != 101)
            {
                interim.Add(response);
                continue;
            }
            return new ObservedResponse(response, interim, isHead);
        }
    }

    public async Task<RawHttpResponse> ReadNextAsync()
    {
        using var deadline = new CancellationTokenSource(_readTimeout);
        return await ReadOneAsync(isHead: false, deadline.Token).ConfigureAwait(false);
    }

    public async Task<byte[]> ReadToEndAsync()
    {
        using var deadline = new CancellationTokenSource(_readTimeout);
        while (!_endOfStream)
        {
            await FillAsync(deadline.Token, "the server to close the connection").ConfigureAwait(false);
        }
        byte[] all = _buffer.AsSpan(0, _buffered).ToArray();
        _buffered = 0;
        return all;
    }

    public ValueTask DisposeAsync() => _tls.DisposeAsync();

    private async Task<RawHttpResponse> ReadOneAsync(bool isHead, CancellationToken deadline)
    {
        int length;
        while ((length = CompleteLength(isHead)) < 0)
        {
            if (_endOfStream)
            {
                throw new IOException($"The server closed the connection before a complete response. Received {Received()}");
            }
            await FillAsync(deadline, "a complete response").ConfigureAwait(false);
        }
        RawHttpResponse response = RawHttpResponse.Parse(_buffer.AsSpan(0, length), isHead);
        _buffer.AsSpan(length, _buffered - length).CopyTo(_buffer);
        _buffered -= length;
        return response;
    }

    // The length of the response at the start of the buffer once all of it is there, or -1. Only the framing is read here
    // (RFC 9112 §6.3, in its order of precedence); the parser checks every byte afterwards.
    private int CompleteLength(bool isHead)
    {
        ReadOnlySpan<byte> data = _buffer.AsSpan(0, _buffered);
        int headEnd = data.IndexOf("\r\n\r\n"u8);
        if (headEnd < 0)
        {
            return -1;
        }
        int headLength = headEnd + 4;
        // Parsed as the answer to HEAD, the head alone is a complete response: its status line and fields, checked.
        RawHttpResponse head = RawHttpResponse.Parse(data[..headLength], isHeadRequest: true);
        if (isHead || head.StatusCode is >= 100 and < 200 or 204 or 304)
        {
            return headLength;
        }
        IReadOnlyList<string> codings = head.GetHeaderValues("Transfer-Encoding");
        if (codings.Count > 0)
        {
            return LastCodingIsChunked(codings) ? ChunkedLength(data, headLength) : CloseDelimitedLength();
        }
        if (head.GetHeader("Content-Length") is string declared)
        {
            long contentLength = long.Parse(declared, NumberStyles.None, CultureInfo.InvariantCulture);
            return data.Length - headLength >= contentLength ? headLength + (int)contentLength : -1;
        }
        return CloseDelimitedLength();
    }

    private int CloseDelimitedLength() => _endOfStream ? _buffered : -1;

    private static bool LastCodingIsChunked(IReadOnlyList<string> codings)
    {
        string last = codings[^1];
        return last[(last.LastIndexOf(',') + 1)..].Trim().Equals("chunked", StringComparison.OrdinalIgnoreCase);
    }

    // RFC 9112 §7.1: chunks up to the last one, then the trailer section up to its empty line.
    private static int ChunkedLength(ReadOnlySpan<byte> data, int position)
    {
        while (true)
        {
            int lineLength = data[position..].IndexOf("\r\n"u8);
            if (lineLength < 0)
            {
                return -1;
            }
            ReadOnlySpan<byte> size = data.Slice(position, lineLength);
            int extension = size.IndexOf((byte)';');
            size = (extension < 0 ? size : size[..extension]).TrimEnd(" \t"u8);
            if (!ulong.TryParse(size, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong chunkSize) || chunkSize > int.MaxValue)
            {
                throw new FormatException($"The chunk size line \"{HandlerView.EscapeBytes(data.Slice(position, lineLength))}\" has no valid size. Received {Describe(data)}");
            }
            position += lineLength + 2;
            if (chunkSize == 0)
            {
                break;
            }
            if ((long)data.Length - position < (long)chunkSize + 2)
            {
                return -1;
            }
            position += (int)chunkSize + 2;
        }
        while (true)
        {
            int lineLength = data[position..].IndexOf("\r\n"u8);
            if (lineLength < 0)
            {
                return -1;
            }
            position += lineLength + 2;
            if (lineLength == 0)
            {
                return position;
            }
        }
    }

    private async Task FillAsync(CancellationToken deadline, string waitingFor)
    {
        if (_buffered == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
        int read;
        try
        {
            read = await _tls.ReadAsync(_buffer.AsMemory(_buffered), deadline).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException(string.Create(
                CultureInfo.InvariantCulture,
                $"Timed out after {_readTimeout.TotalSeconds:0.###} s waiting for {waitingFor}. Received {Received()}"));
        }
        catch (IOException e)
        {
            throw new IOException($"The connection failed ({e.Message}) while waiting for {waitingFor}. Received {Received()}", e);
        }
        if (read == 0)
        {
            _endOfStream = true;
        }
        _buffered += read;
    }

    private string Received() => Describe(_buffer.AsSpan(0, _buffered));

    // As RawHttpConnection's messages say it ("0 bytes" when nothing came), which CaseRunner reads to tell a clean close.
    private static string Describe(ReadOnlySpan<byte> bytes) =>
        bytes.IsEmpty ? "0 bytes" : new StringBuilder().Append(bytes.Length).Append(" bytes: \"").Append(HandlerView.EscapeBytes(bytes)).Append('"').ToString();
}
