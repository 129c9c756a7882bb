using System;
using System.IO;
using System.Net.Sockets;
using System.Threading.Tasks;
using TinyHttp.Testing;

namespace TinyHttp.Conformance;

/// <summary>
/// CaseRunner sends a case's bytes to a server over a real socket (inside TLS when the lease says so) and records what
/// came back: the responses, and what the connection is like afterwards. It asserts nothing, so the same run serves the
/// tests and the report.
/// </summary>
public static class CaseRunner
{
    /// <summary>
    /// The probe sent after a case's responses: answered by the handler if the connection persisted and stayed in step.
    /// It asks to close, so a server that answers it ends the connection and nothing waits on a timeout.
    /// </summary>
    public const string Probe = "GET /probe HTTP/1.1\r\nHost: probe.example\r\nConnection: close\r\n\r\n";

    /// <summary>The target the probe's echo shows.</summary>
    public const string ProbeTarget = "/probe";

    /// <summary>How long the tests wait for a response: a bound on a broken server, not a timing assertion.</summary>
    public static readonly TimeSpan TestReadTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Runs <paramref name="c"/> against <paramref name="server"/>.</summary>
    public static async Task<CaseObservation> RunAsync(ConformanceCase c, IServerUnderTest server, TimeSpan readTimeout)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(server);
        await using ServerLease lease = await server.LeaseAsync(c.Limits).ConfigureAwait(false);
        var observation = new CaseObservation();
        await using ICaseClient connection = await CaseClient.ConnectAsync(lease, readTimeout).ConfigureAwait(false);
        await SendAsync(connection, c).ConfigureAwait(false);

        int wanted = Math.Max(c.Responses.Count, 1);
        for (int i = 0; i < wanted; i++)
        {
            bool isHead = i < c.Responses.Count && c.Responses[i].IsHead;
            try
            {
                observation.Responses.Add(i == 0 && c.Delivery == Delivery.BodyAfterInterim
                    ? await ReadAfterInterimAsync(connection, c).ConfigureAwait(false)
                    : await connection.ReadResponseAsync(isHead).ConfigureAwait(false));
            }
            catch (TimeoutException e)
            {
                observation.Connection = ConnectionOutcome.StillWaiting;
                observation.Trouble = e.Message;
                return observation;
            }
            catch (IOException e)
            {
                observation.Connection = ConnectionOutcome.Closed;
                if (i < c.Responses.Count || !e.Message.Contains("Received 0 bytes", StringComparison.Ordinal))
                {
                    observation.Trouble = e.Message;
                }
                return observation;
            }
            catch (FormatException e)
            {
                observation.Connection = ConnectionOutcome.Desynchronised;
                observation.Trouble = e.Message;
                return observation;
            }
        }

        if (c.Delivery == Delivery.ThenHalfClose)
        {
            await ReadToEndAsync(connection, observation).ConfigureAwait(false);
        }
        else
        {
            await ProbeAsync(connection, observation).ConfigureAwait(false);
        }
        return observation;
    }

    // A client that sent Expect: 100-continue with the head alone: it sends the body once an interim response arrives
    // (RFC 9110 §10.1.1), and not at all if the final response comes first.
    private static async Task<ObservedResponse> ReadAfterInterimAsync(ICaseClient connection, ConformanceCase c)
    {
        RawHttpResponse first = await connection.ReadNextAsync().ConfigureAwait(false);
        if (!first.IsInterim)
        {
            return new ObservedResponse(first, Array.Empty<RawHttpResponse>(), isHead: false);
        }
        await connection.SendAsync(c.BodyAfterInterimBytes).ConfigureAwait(false);
        ObservedResponse rest = await connection.ReadResponseAsync(isHead: false).ConfigureAwait(false);
        return new ObservedResponse(rest.Final, [first, .. rest.Interim], isHead: false);
    }

    private static async Task SendAsync(ICaseClient connection, ConformanceCase c)
    {
        try
        {
            if (c.Delivery == Delivery.ByteByByte)
            {
                await connection.SendByteByByteAsync(c.Request).ConfigureAwait(false);
            }
            else
            {
                await connection.SendAsync(c.Request).ConfigureAwait(false);
            }
            if (c.Delivery == Delivery.ThenHalfClose)
            {
                await connection.ShutdownSendAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            // The server may reject and close before the last bytes are sent; its response can still be read.
        }
    }

    private static async Task ReadToEndAsync(ICaseClient connection, CaseObservation observation)
    {
        try
        {
            byte[] rest = await connection.ReadToEndAsync().ConfigureAwait(false);
            observation.Connection = rest.Length == 0 ? ConnectionOutcome.Closed : ConnectionOutcome.Desynchronised;
            if (rest.Length > 0)
            {
                observation.ProbeAnswer = $"{rest.Length} more bytes before the close";
            }
        }
        catch (TimeoutException)
        {
            observation.Connection = ConnectionOutcome.StillWaiting;
        }
        catch (IOException)
        {
            observation.Connection = ConnectionOutcome.Closed;
        }
    }

    private static async Task ProbeAsync(ICaseClient connection, CaseObservation observation)
    {
        try
        {
            await connection.SendAsync(ConformanceCase.Latin1(Probe)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            observation.Connection = ConnectionOutcome.Closed;
            return;
        }
        try
        {
            RawHttpResponse answer = (await connection.ReadResponseAsync(isHead: false).ConfigureAwait(false)).Final;
            observation.Connection = IsProbeAnswer(answer) ? ConnectionOutcome.Open : ConnectionOutcome.Desynchronised;
            if (observation.Connection != ConnectionOutcome.Open)
            {
                observation.ProbeAnswer = answer.StatusLine;
            }
        }
        catch (IOException)
        {
            observation.Connection = ConnectionOutcome.Closed;
        }
        catch (TimeoutException)
        {
            observation.Connection = ConnectionOutcome.StillWaiting;
        }
        catch (FormatException e)
        {
            observation.Connection = ConnectionOutcome.Desynchronised;
            observation.ProbeAnswer = e.Message;
        }
    }

    internal static bool IsProbeAnswer(RawHttpResponse answer)
    {
        if (answer.StatusCode != 200)
        {
            return false;
        }
        var view = new ObservedResponse(answer, Array.Empty<RawHttpResponse>(), isHead: false).View;
        return view is not null && HandlerView.Get(view, HandlerView.Target) == ProbeTarget;
    }
}
