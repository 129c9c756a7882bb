using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using TinyHttp.Testing;
using Xunit.Sdk;

namespace TinyHttp.Conformance;

/// <summary>
/// CaseAssertions checks an observation against its case: every expectation the case states, plus the rules every
/// response must keep whatever the case (a Date field; consistent framing; <c>Connection: close</c> exactly when the
/// server closes). All mismatches are reported together, with the bytes.
/// </summary>
public static class CaseAssertions
{
    /// <summary>
    /// Throws when <paramref name="observation"/> does not meet <paramref name="c"/>; verifies its snapshot if it has one.
    /// A second run of the same case (over TLS) passes <paramref name="mayAcceptSnapshot"/> false: while snapshots are
    /// being accepted it leaves them to the first run, so two runs never write one verified file at once, and it compares
    /// with what was accepted on the next run.
    /// </summary>
    public static void Check(ConformanceCase c, CaseObservation observation, string sourceFile, bool mayAcceptSnapshot = true)
    {
        List<string> failures = Mismatches(c, observation);
        if (c.HasSnapshot && observation.Responses.Count > 0 && (mayAcceptSnapshot || !AcceptingSnapshots))
        {
            try
            {
                VerifySnapshot(c, observation, sourceFile);
            }
            catch (TinyHttpAssertionException e)
            {
                failures.Add(e.Message);
            }
        }
        if (failures.Count > 0)
        {
            throw new XunitException(Describe(c, observation, failures));
        }
    }

    /// <summary>The ways <paramref name="observation"/> differs from what <paramref name="c"/> expects; empty when it conforms.</summary>
    public static List<string> Mismatches(ConformanceCase c, CaseObservation observation)
    {
        var failures = new List<string>();
        if (observation.Responses.Count != c.Responses.Count)
        {
            failures.Add($"expected {c.Responses.Count} response(s), got {observation.Responses.Count}" +
                (observation.Trouble is null ? string.Empty : $" ({observation.Trouble})"));
        }
        for (int i = 0; i < Math.Min(observation.Responses.Count, c.Responses.Count); i++)
        {
            // After a half-close the server learns the client is gone only when it reads on, so its last response may not say close.
            bool isLast = i == c.Responses.Count - 1;
            ConnectionOutcome? announced = !isLast ? ConnectionOutcome.Open : c.Delivery == Delivery.ThenHalfClose ? null : c.Connection;
            CheckResponse(c.Responses[i], observation.Responses[i], announced, $"response {i + 1}: ", failures);
        }
        if (observation.Connection != c.Connection)
        {
            failures.Add($"expected the connection to be {CaseObservation.Describe(c.Connection)} afterwards, but it was {CaseObservation.Describe(observation.Connection)}" +
                (observation.ProbeAnswer is null ? string.Empty : $" (the probe got: {observation.ProbeAnswer})"));
        }
        return failures;
    }

    private static void CheckResponse(ResponseExpectation expected, ObservedResponse observed, ConnectionOutcome? connection, string prefix, List<string> failures)
    {
        RawHttpResponse response = observed.Final;
        if (response.StatusLine != expected.StatusLine)
        {
            failures.Add($"{prefix}status line \"{HandlerView.Escape(response.StatusLine)}\", expected \"{expected.StatusLine}\"");
        }
        int[] interim = observed.Interim.Select(r => r.StatusCode).ToArray();
        if (!interim.SequenceEqual(expected.Interim))
        {
            failures.Add($"{prefix}interim responses [{string.Join(", ", interim)}], expected [{string.Join(", ", expected.Interim)}]");
        }
        foreach (RawHttpResponse r in observed.Interim)
        {
            if (r.StatusLine != $"HTTP/1.1 {r.StatusCode} {StatusPhrases.Of(r.StatusCode)}")
            {
                failures.Add($"{prefix}interim status line \"{HandlerView.Escape(r.StatusLine)}\"");
            }
        }

        // RFC 9110 §6.6.1: an origin server with a clock sends Date (TinyHttp: on every final response), in IMF-fixdate.
        IReadOnlyList<string> dates = response.GetHeaderValues("Date");
        if (dates.Count != 1 || !DateTime.TryParseExact(dates[0], "r", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out _))
        {
            failures.Add($"{prefix}expected one Date field in IMF-fixdate, got [{string.Join(" | ", dates)}]");
        }

        CheckFraming(expected, observed, prefix, failures);

        bool saysClose = response.GetHeaderValues("Connection")
            .Any(v => v.Split(',').Any(o => o.Trim().Equals("close", StringComparison.OrdinalIgnoreCase)));
        if (connection == ConnectionOutcome.Closed && !saysClose)
        {
            failures.Add($"{prefix}the server closes the connection, so the response should say Connection: close (RFC 9112 §9.6)");
        }
        if (connection == ConnectionOutcome.Open && saysClose)
        {
            failures.Add($"{prefix}says Connection: close, but the connection is expected to stay open");
        }

        foreach ((string name, string? value) in expected.Headers)
        {
            IReadOnlyList<string> values = response.GetHeaderValues(name);
            if (value is null && values.Count > 0)
            {
                failures.Add($"{prefix}expected no {name} field, got [{string.Join(" | ", values)}]");
            }
            else if (value is not null && (values.Count != 1 || values[0] != value))
            {
                failures.Add($"{prefix}expected {name}: {value}, got [{string.Join(" | ", values)}]");
            }
        }
        if (expected.Body is not null && response.BodyText != expected.Body)
        {
            failures.Add($"{prefix}body \"{HandlerView.Escape(response.BodyText)}\", expected \"{HandlerView.Escape(expected.Body)}\"");
        }

        if (!expected.ExpectsEcho)
        {
            return;
        }
        if (observed.View is null)
        {
            failures.Add($"{prefix}expected the handler's echo of the request, got body \"{HandlerView.Escape(response.BodyText)}\"");
            return;
        }
        foreach ((string field, string value) in expected.Saw)
        {
            string? seen = HandlerView.Get(observed.View, field);
            if (seen != value)
            {
                failures.Add($"{prefix}the handler saw {field} \"{seen}\", expected \"{value}\"");
            }
        }
        foreach ((string name, string[] values) in expected.SawHeaders)
        {
            List<string> seen = HandlerView.HeaderValues(observed.View, name);
            string[] escaped = values.Select(HandlerView.Escape).ToArray();
            if (!seen.SequenceEqual(escaped))
            {
                failures.Add($"{prefix}the handler saw {name} [{string.Join(" | ", seen)}], expected [{string.Join(" | ", escaped)}]");
            }
        }
    }

    // RFC 9112 §6.1, §6.3 and RFC 9110 §8.6: never both Content-Length and Transfer-Encoding; none on 1xx and 204;
    // no Transfer-Encoding on 304; every other response to a non-HEAD request says where its body ends (unless the
    // case expects a close-delimited body, as for HTTP/1.0).
    private static void CheckFraming(ResponseExpectation expected, ObservedResponse observed, string prefix, List<string> failures)
    {
        RawHttpResponse response = observed.Final;
        int status = response.StatusCode;
        IReadOnlyList<string> lengths = response.GetHeaderValues("Content-Length");
        IReadOnlyList<string> codings = response.GetHeaderValues("Transfer-Encoding");
        if (lengths.Count > 0 && codings.Count > 0)
        {
            failures.Add($"{prefix}has both Content-Length and Transfer-Encoding");
        }
        if (lengths.Count > 1)
        {
            failures.Add($"{prefix}has {lengths.Count} Content-Length fields");
        }
        if ((status is >= 100 and < 200 or 204) && (lengths.Count > 0 || codings.Count > 0))
        {
            failures.Add($"{prefix}a {status} response must not carry Content-Length or Transfer-Encoding (RFC 9110 §8.6, RFC 9112 §6.1)");
        }
        if (status == 304 && codings.Count > 0)
        {
            failures.Add($"{prefix}a 304 response must not carry Transfer-Encoding (RFC 9112 §6.1)");
        }
        if (expected.Framing is BodyFraming framing)
        {
            BodyFraming actual = observed.IsHead
                ? (codings.Count > 0 ? BodyFraming.Chunked : lengths.Count > 0 ? BodyFraming.ContentLength : BodyFraming.CloseDelimited)
                : response.Framing;
            if (actual != framing)
            {
                failures.Add($"{prefix}body framed by {actual}, expected {framing}");
            }
        }
        else if (ConformanceHandler.StatusAllowsContent(status) && response.Framing == BodyFraming.CloseDelimited && !observed.IsHead)
        {
            failures.Add($"{prefix}has neither Content-Length nor Transfer-Encoding, so its body is close-delimited");
        }
    }

    // As ResponseSnapshot reads its accept variable: "1" or "true".
    private static bool AcceptingSnapshots =>
        Environment.GetEnvironmentVariable(ResponseSnapshot.AcceptVariable) is string value
        && (value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase));

    private static void VerifySnapshot(ConformanceCase c, CaseObservation observation, string sourceFile)
    {
        var settings = new SnapshotSettings { FileName = $"{c.Section.ClassName}.{c.Name}" };
        ObservedResponse first = observation.Responses[0];
        if (observation.Responses.Count == 1 && first.Final.InterimResponses.Count == first.Interim.Count)
        {
            ResponseSnapshot.Verify(first.Final, settings, sourceFile, c.Name);
            return;
        }
        var bytes = new List<byte>();
        foreach (ObservedResponse response in observation.Responses)
        {
            if (response.IsHead)
            {
                throw new InvalidOperationException($"Case {c.Name}: a snapshot of several responses cannot include a HEAD response (its body length is unknowable from the bytes alone).");
            }
            bytes.AddRange(response.Bytes());
        }
        ResponseSnapshot.Verify(bytes.ToArray(), settings, sourceFile, c.Name);
    }

    private static string Describe(ConformanceCase c, CaseObservation observation, List<string> failures)
    {
        var text = new StringBuilder();
        text.Append("Case ").Append(c).Append(" (").Append(c.Section.Citation).Append(") failed:\n");
        foreach (string failure in failures)
        {
            text.Append("  - ").Append(failure).Append('\n');
        }
        text.Append("Sent: \"").Append(HandlerView.EscapeBytes(c.Request)).Append("\"\n");
        text.Append("Observed: ").Append(observation.Summary()).Append('\n');
        foreach (ObservedResponse response in observation.Responses)
        {
            foreach (RawHttpResponse interim in response.Interim)
            {
                text.Append("Received: \"").Append(interim).Append("\"\n");
            }
            text.Append("Received: \"").Append(response.Final).Append("\"\n");
        }
        if (c.Rationale is not null)
        {
            text.Append("Rule: ").Append(c.Rationale).Append('\n');
        }
        return text.ToString();
    }
}
