using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using TinyHttp.Protocol;

namespace TinyHttp.Tests.Robustness;

/// <summary>
/// ProtocolInvariants states what must hold for any bytes a peer can send, and checks it: the parser and the
/// chunked decoder either accept or throw <see cref="BadHttpRequestException"/> (nothing else escapes), every
/// offset they report lies inside the bytes they were given, and the answer does not depend on how the bytes
/// were split into reads. It has no test-framework dependency, so the fuzz harness (fuzz/) compiles this same
/// file and a fuzzer's finding and a unit test's failure mean the same thing.
/// </summary>
internal static class ProtocolInvariants
{
    /// <summary>The server's default limits (TinyHttpServerOptions).</summary>
    public static readonly ParserLimits DefaultLimits = new(8 * 1024, 32 * 1024, 100);

    /// <summary>Small limits, so short inputs reach the limit checks too.</summary>
    public static readonly ParserLimits SmallLimits = new(64, 256, 8);

    /// <summary>The decoder's trailer limit in these checks; the server passes MaxRequestHeadersTotalSize.</summary>
    public const int MaxTrailerSize = 1024;

    // ChunkedBodyDecoder.MaxChunkExtensionLength; framing bytes between two data bytes are bounded by it and the trailer limit.
    private const int MaxChunkExtensionLength = 4096;
    private const int MaxFramingSlack = 64;

    // Byte-at-a-time feeding rescans an incomplete line on every call (quadratic in the line length), so longer
    // inputs are fed in pieces of a few bytes; every split point is still exercised over many inputs.
    private const int ByteAtATimeLimit = 4096;

    // Pipelined requests followed through in one input.
    private const int MaxPipelinedRequests = 8;

    private static readonly int[] RejectionStatusCodes = [400, 408, 413, 414, 417, 431, 501, 505];

    /// <summary>Checks the request-head parser on <paramref name="input"/> with both sets of limits. Returns the outcome with the default limits.</summary>
    /// <exception cref="InvariantViolationException">An invariant does not hold; the message says which.</exception>
    public static HeadOutcome CheckRequestHead(ReadOnlySpan<byte> input)
    {
        HeadOutcome small = CheckRequestHead(input, SmallLimits);
        HeadOutcome normal = CheckRequestHead(input, DefaultLimits);
        // Raising limits never turns an accepted head into a different one or a rejection.
        if (small.Kind == OutcomeKind.Complete && (normal.Kind != OutcomeKind.Complete || normal.Snapshot != small.Snapshot))
        {
            throw Violation(input, $"accepted with small limits as {small}, but with the default limits the result is {normal}");
        }
        return normal;
    }

    /// <summary>Checks the request-head parser on <paramref name="input"/> with <paramref name="limits"/>, following pipelined requests.</summary>
    /// <exception cref="InvariantViolationException">An invariant does not hold; the message says which.</exception>
    public static HeadOutcome CheckRequestHead(ReadOnlySpan<byte> input, ParserLimits limits)
    {
        var parser = limits.NewParser();
        var head = new RequestHead();
        HeadOutcome first = default;
        int offset = 0;
        for (int request = 0; request < MaxPipelinedRequests; request++)
        {
            ReadOnlySpan<byte> rest = input.Slice(offset);

            // The server reuses one parser and one head per connection, so the reused pair must agree with a fresh pair.
            HeadOutcome reused = ParseOnce(rest, parser, head, limits);
            HeadOutcome fresh = request == 0 ? reused : ParseOnce(rest, limits.NewParser(), new RequestHead(), limits);
            if (!reused.SameAs(fresh, sameReason: true))
            {
                throw Violation(input, $"request {request} at offset {offset}: a reused parser gives {reused}, a fresh one {fresh}");
            }
            HeadOutcome split = ParseInPieces(rest, limits);
            if (!split.SameAs(reused, sameReason: !IsEarlyLimitReason(split.Reason) && !IsEarlyLimitReason(reused.Reason)))
            {
                throw Violation(input, $"request {request} at offset {offset}: in one read {reused}, fed in pieces {split}");
            }
            if (request == 0)
            {
                first = reused;
            }
            if (reused.Kind != OutcomeKind.Complete)
            {
                break;
            }
            if (head.HasBody)
            {
                // The body's framing is the decoder's business; a chunked body is checked as such.
                if (head.IsChunked)
                {
                    CheckChunkedBody(rest.Slice(reused.Length));
                }
                break;
            }
            offset += reused.Length;
            if (offset == input.Length)
            {
                break;
            }
        }
        return first;
    }

    /// <summary>Checks the chunked decoder on <paramref name="input"/> (the bytes after a head that said chunked).</summary>
    /// <exception cref="InvariantViolationException">An invariant does not hold; the message says which.</exception>
    public static ChunkedOutcome CheckChunkedBody(ReadOnlySpan<byte> input)
    {
        ChunkedOutcome whole = DecodeWhole(input);
        ChunkedOutcome pieces = DecodeInPieces(input);
        if (whole.Complete != pieces.Complete || whole.Consumed != pieces.Consumed || whole.Reason != pieces.Reason
            || !whole.Data.AsSpan().SequenceEqual(pieces.Data))
        {
            throw Violation(input, $"chunked body in one read: {whole}; fed a byte at a time into small outputs: {pieces}");
        }
        return whole;
    }

    // ---- Request head --------------------------------------------------------------------------

    private static HeadOutcome ParseOnce(ReadOnlySpan<byte> input, RequestHeadParser parser, RequestHead head, ParserLimits limits)
    {
        parser.Reset(head);
        int length;
        try
        {
            length = parser.Parse(input, head);
        }
        catch (BadHttpRequestException ex)
        {
            CheckRejection(input, ex);
            return HeadOutcome.Rejected(ex.Reason, ex.StatusCode);
        }
        catch (Exception ex)
        {
            throw Violation(input, $"the parser threw {ex.GetType().Name}, not BadHttpRequestException", ex);
        }
        if (length == -1)
        {
            return HeadOutcome.Incomplete;
        }
        if (length <= 0 || length > input.Length)
        {
            throw Violation(input, $"the parser returned head length {length} for {input.Length} bytes");
        }
        CheckHead(input, length, head, limits);
        return HeadOutcome.Completed(length, Describe(input, length, head));
    }

    /// <summary>Feeds growing prefixes, as a connection does when bytes trickle in. Stops at the first completion or rejection.</summary>
    private static HeadOutcome ParseInPieces(ReadOnlySpan<byte> input, ParserLimits limits)
    {
        var parser = limits.NewParser();
        var head = new RequestHead();
        parser.Reset(head);
        int step = 1;
        int available = 0;
        while (available < input.Length)
        {
            if (input.Length > ByteAtATimeLimit)
            {
                step = step % 13 + 1;
            }
            available = Math.Min(input.Length, available + step);
            ReadOnlySpan<byte> prefix = input.Slice(0, available);
            int length;
            try
            {
                length = parser.Parse(prefix, head);
            }
            catch (BadHttpRequestException ex)
            {
                CheckRejection(prefix, ex);
                return HeadOutcome.Rejected(ex.Reason, ex.StatusCode);
            }
            catch (Exception ex)
            {
                throw Violation(prefix, $"the parser threw {ex.GetType().Name} on a {available}-byte prefix, not BadHttpRequestException", ex);
            }
            if (length >= 0)
            {
                if (length == 0 || length > available)
                {
                    throw Violation(input, $"the parser returned head length {length} for a {available}-byte prefix");
                }
                CheckHead(prefix, length, head, limits);
                return HeadOutcome.Completed(length, Describe(prefix, length, head));
            }
        }
        return HeadOutcome.Incomplete;
    }

    // A line that is too long is rejected as soon as it is too long, before its end shows whether it had other faults too.
    private static bool IsEarlyLimitReason(RequestRejectionReason? reason) =>
        reason is RequestRejectionReason.RequestLineTooLong or RequestRejectionReason.HeadersTooLarge;

    private static void CheckRejection(ReadOnlySpan<byte> input, BadHttpRequestException ex)
    {
        if (!Enum.IsDefined(ex.Reason))
        {
            throw Violation(input, $"rejected with undefined reason {(int)ex.Reason}");
        }
        if (Array.IndexOf(RejectionStatusCodes, ex.StatusCode) < 0)
        {
            throw Violation(input, $"rejected with status {ex.StatusCode} ({ex.Reason}), not one of the documented rejection codes");
        }
    }

    private static void CheckHead(ReadOnlySpan<byte> input, int length, RequestHead head, ParserLimits limits)
    {
        ReadOnlySpan<byte> bytes = input.Slice(0, length);
        if (length < 4 || !bytes.EndsWith("\r\n\r\n"u8))
        {
            throw Violation(input, $"a complete head of {length} bytes does not end with an empty line");
        }
        CheckRange(input, bytes, head.Method, "method");
        CheckRange(input, bytes, head.Target, "target");
        CheckRange(input, bytes, head.TargetPath, "path");
        CheckRange(input, bytes, head.TargetQuery, "query");
        ReadOnlySpan<byte> method = head.Method.Of(bytes);
        ReadOnlySpan<byte> target = head.Target.Of(bytes);
        if (!HttpCharacters.IsToken(method))
        {
            throw Violation(input, "the accepted method is not a token");
        }
        if (head.Target.Start != head.Method.Start + head.Method.Length + 1 || bytes[head.Method.Start + head.Method.Length] != (byte)' '
            || bytes[head.Target.Start + head.Target.Length] != (byte)' ')
        {
            throw Violation(input, "the method and target are not separated by single spaces");
        }
        if (target.IsEmpty || target.IndexOfAnyExceptInRange((byte)0x21, (byte)0x7E) >= 0)
        {
            throw Violation(input, "the accepted target is empty or has a byte outside VCHAR");
        }
        if (!Within(head.TargetPath, head.Target) || !Within(head.TargetQuery, head.Target))
        {
            throw Violation(input, $"path {head.TargetPath} or query {head.TargetQuery} lies outside the target {head.Target}");
        }
        int requestLineEnd = bytes.Slice(head.Target.Start).IndexOf((byte)'\r') + head.Target.Start;
        if (requestLineEnd - head.Method.Start > limits.MaxRequestLineLength)
        {
            throw Violation(input, $"accepted a request line of {requestLineEnd - head.Method.Start} bytes over the limit of {limits.MaxRequestLineLength}");
        }
        if (head.MinorVersion is not (0 or 1))
        {
            throw Violation(input, $"minor version {head.MinorVersion}");
        }
        if (head.HeaderCount > limits.MaxHeaderCount)
        {
            throw Violation(input, $"accepted {head.HeaderCount} fields over the limit of {limits.MaxHeaderCount}");
        }
        int hosts = 0;
        int contentLengths = 0;
        foreach (HeaderField field in head.Headers)
        {
            CheckRange(input, bytes, field.Name, "field name");
            CheckRange(input, bytes, field.Value, "field value");
            ReadOnlySpan<byte> name = field.Name.Of(bytes);
            ReadOnlySpan<byte> value = field.Value.Of(bytes);
            if (!HttpCharacters.IsToken(name) || bytes[field.Name.Start + field.Name.Length] != (byte)':' || field.Value.Start <= field.Name.Start + field.Name.Length)
            {
                throw Violation(input, $"field at {field.Name.Start} has a name that is not a token followed by ':'");
            }
            if (HttpCharacters.IndexOfInvalidFieldValueByte(value) >= 0
                || (!value.IsEmpty && (HttpCharacters.IsWhitespace(value[0]) || HttpCharacters.IsWhitespace(value[^1]))))
            {
                throw Violation(input, $"field at {field.Name.Start} has a value with a control byte or untrimmed whitespace");
            }
            if (field.Name.Start <= head.Target.Start)
            {
                throw Violation(input, $"field at {field.Name.Start} lies inside the request line");
            }
            hosts += HttpCharacters.EqualsLowerAscii(name, "host"u8) ? 1 : 0;
            if (HttpCharacters.EqualsLowerAscii(name, "content-length"u8))
            {
                contentLengths++;
                if (!long.TryParse(Encoding.ASCII.GetString(value), NumberStyles.None, CultureInfo.InvariantCulture, out long parsed) || parsed != head.ContentLength)
                {
                    throw Violation(input, $"Content-Length field '{Encoding.Latin1.GetString(value)}' but ContentLength {head.ContentLength}");
                }
            }
        }
        int headerSection = length - 2 - (requestLineEnd + 2);
        if (headerSection > limits.MaxHeadersTotalSize)
        {
            throw Violation(input, $"accepted a header section of {headerSection} bytes");
        }
        if (hosts != head.HostCount || hosts > 1 || (head.IsHttp11 && hosts != 1))
        {
            throw Violation(input, $"{hosts} Host fields, HostCount {head.HostCount}, HTTP/1.{head.MinorVersion}");
        }
        if (contentLengths > 1 || (contentLengths == 0) != (head.ContentLength == -1))
        {
            throw Violation(input, $"{contentLengths} Content-Length fields but ContentLength {head.ContentLength}");
        }
        if (head.IsChunked && (head.ContentLength != -1 || !head.IsHttp11 || !head.HasTransferEncoding))
        {
            throw Violation(input, "chunked together with Content-Length, in HTTP/1.0, or without Transfer-Encoding");
        }
        if (head.HasTransferEncoding && !head.IsChunked)
        {
            throw Violation(input, "accepted a Transfer-Encoding that is not chunked");
        }
        if (head.ExpectContinue && !head.IsHttp11)
        {
            throw Violation(input, "100-continue honoured for HTTP/1.0");
        }

        // What HttpRequest makes of the head when a handler asks must not throw either.
        _ = Encoding.ASCII.GetString(method);
        string path = Encoding.ASCII.GetString(head.TargetPath.Of(bytes));
        _ = PercentDecoding.DecodePath(path);
    }

    private static void CheckRange(ReadOnlySpan<byte> input, ReadOnlySpan<byte> head, ByteRange range, string what)
    {
        if (range.Start < 0 || range.Length < 0 || range.Start + range.Length > head.Length)
        {
            throw Violation(input, $"the {what} range {range} lies outside the {head.Length}-byte head");
        }
    }

    private static bool Within(ByteRange inner, ByteRange outer) =>
        inner.Start >= outer.Start && inner.Start + inner.Length <= outer.Start + outer.Length;

    private static string Describe(ReadOnlySpan<byte> input, int length, RequestHead head)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"length={length} method={R(head.Method)} target={R(head.Target)} path={R(head.TargetPath)} ");
        text.Append(CultureInfo.InvariantCulture, $"query={R(head.TargetQuery)} form={head.TargetForm} minor={head.MinorVersion} cl={head.ContentLength} ");
        text.Append(CultureInfo.InvariantCulture, $"chunked={head.IsChunked} te={head.HasTransferEncoding} close={head.ConnectionClose} ");
        text.Append(CultureInfo.InvariantCulture, $"keepalive={head.ConnectionKeepAlive} expect={head.ExpectContinue} hosts={head.HostCount} fields=");
        foreach (HeaderField field in head.Headers)
        {
            text.Append(CultureInfo.InvariantCulture, $"[{R(field.Name)}:{R(field.Value)}]");
        }
        text.Append(' ').Append(Escape(input.Slice(0, length)));
        return text.ToString();
    }

    private static string R(ByteRange range) => string.Create(CultureInfo.InvariantCulture, $"{range.Start}+{range.Length}");

    // ---- Chunked body --------------------------------------------------------------------------

    private static ChunkedOutcome DecodeWhole(ReadOnlySpan<byte> input)
    {
        var decoder = new ChunkedBodyDecoder(MaxTrailerSize);
        byte[] output = new byte[input.Length];
        try
        {
            bool done = decoder.Decode(input, output, out int consumed, out int written);
            CheckDecodeStep(input, input.Length, output.Length, consumed, written, done);
            if (!done && consumed != input.Length)
            {
                throw Violation(input, $"the decoder stopped after {consumed} of {input.Length} bytes with room to spare and the body incomplete");
            }
            if (done != decoder.IsComplete)
            {
                throw Violation(input, $"Decode returned {done} but IsComplete is {decoder.IsComplete}");
            }
            return new ChunkedOutcome(done, consumed, output.AsSpan(0, written).ToArray(), null);
        }
        catch (BadHttpRequestException ex)
        {
            CheckRejection(input, ex);
            return new ChunkedOutcome(false, -1, [], ex.Reason);
        }
        catch (InvariantViolationException)
        {
            throw;
        }
        catch (Exception ex)
        {
            throw Violation(input, $"the decoder threw {ex.GetType().Name}, not BadHttpRequestException", ex);
        }
    }

    /// <summary>Feeds one byte at a time into outputs of 1–3 bytes, and bounds the framing bytes read between two data bytes.</summary>
    private static ChunkedOutcome DecodeInPieces(ReadOnlySpan<byte> input)
    {
        var decoder = new ChunkedBodyDecoder(MaxTrailerSize);
        var data = new List<byte>();
        Span<byte> output = stackalloc byte[3];
        int offset = 0;
        int framingRun = 0;
        bool done = false;
        try
        {
            while (!done && offset < input.Length)
            {
                Span<byte> room = output.Slice(0, offset % 3 + 1);
                ReadOnlySpan<byte> piece = input.Slice(offset, 1);
                done = decoder.Decode(piece, room, out int consumed, out int written);
                CheckDecodeStep(input, piece.Length, room.Length, consumed, written, done);
                if (consumed == 0 && !done)
                {
                    throw Violation(input, $"the decoder made no progress at offset {offset} with input and output room");
                }
                for (int i = 0; i < written; i++)
                {
                    data.Add(room[i]);
                }
                offset += consumed;
                framingRun = written > 0 ? 0 : framingRun + consumed;
                if (framingRun > MaxChunkExtensionLength + MaxTrailerSize + MaxFramingSlack)
                {
                    // A peer must not keep the server reading framing bytes (no data, no end) without limit.
                    throw Violation(input, $"the decoder read {framingRun} framing bytes in a row (at offset {offset}) without data or an end");
                }
            }
        }
        catch (BadHttpRequestException ex)
        {
            CheckRejection(input, ex);
            return new ChunkedOutcome(false, -1, [], ex.Reason);
        }
        catch (InvariantViolationException)
        {
            throw;
        }
        catch (Exception ex)
        {
            throw Violation(input, $"the decoder threw {ex.GetType().Name} at offset {offset}, not BadHttpRequestException", ex);
        }
        return new ChunkedOutcome(done, offset, data.ToArray(), null);
    }

    private static void CheckDecodeStep(ReadOnlySpan<byte> input, int inputLength, int outputLength, int consumed, int written, bool done)
    {
        if (consumed < 0 || consumed > inputLength || written < 0 || written > outputLength || written > consumed)
        {
            throw Violation(input, $"Decode reported consumed={consumed} written={written} for input {inputLength} and output {outputLength} (done={done})");
        }
    }

    // ---- Reporting -----------------------------------------------------------------------------

    private static InvariantViolationException Violation(ReadOnlySpan<byte> input, string message, Exception? inner = null) =>
        new($"{message}. Input ({input.Length} bytes): {Escape(input)}", inner);

    /// <summary>The bytes as a C# string literal body: printable ASCII as is, everything else escaped.</summary>
    public static string Escape(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length + 16);
        int shown = Math.Min(bytes.Length, 2048);
        foreach (byte b in bytes.Slice(0, shown))
        {
            switch (b)
            {
                case (byte)'\r': text.Append("\\r"); break;
                case (byte)'\n': text.Append("\\n"); break;
                case (byte)'\t': text.Append("\\t"); break;
                case (byte)'\\': text.Append("\\\\"); break;
                case (byte)'"': text.Append("\\\""); break;
                case >= 0x20 and < 0x7F: text.Append((char)b); break;
                default: text.Append(CultureInfo.InvariantCulture, $"\\x{b:X2}"); break;
            }
        }
        if (shown < bytes.Length)
        {
            text.Append(CultureInfo.InvariantCulture, $"… ({bytes.Length - shown} more bytes)");
        }
        return text.ToString();
    }
}

/// <summary>The three limits RequestHeadParser takes.</summary>
internal sealed record ParserLimits(int MaxRequestLineLength, int MaxHeadersTotalSize, int MaxHeaderCount)
{
    public RequestHeadParser NewParser() => new(MaxRequestLineLength, MaxHeadersTotalSize, MaxHeaderCount);
}

internal enum OutcomeKind
{
    Incomplete,
    Complete,
    Rejected,
}

/// <summary>What the parser made of some bytes: a head (its length and every parsed fact), more bytes needed, or a rejection.</summary>
internal readonly record struct HeadOutcome(OutcomeKind Kind, int Length, string? Snapshot, RequestRejectionReason? Reason, int StatusCode)
{
    public static HeadOutcome Incomplete => new(OutcomeKind.Incomplete, -1, null, null, 0);

    public static HeadOutcome Completed(int length, string snapshot) => new(OutcomeKind.Complete, length, snapshot, null, 0);

    public static HeadOutcome Rejected(RequestRejectionReason reason, int statusCode) => new(OutcomeKind.Rejected, -1, null, reason, statusCode);

    public bool SameAs(HeadOutcome other, bool sameReason) =>
        Kind == other.Kind && Length == other.Length && Snapshot == other.Snapshot && (!sameReason || Reason == other.Reason);

    public override string ToString() => Kind switch
    {
        OutcomeKind.Complete => $"complete ({Snapshot})",
        OutcomeKind.Rejected => $"rejected {StatusCode} {Reason}",
        _ => "incomplete",
    };
}

/// <summary>What the chunked decoder made of some bytes: body complete or not, bytes consumed, the data, or a rejection.</summary>
internal sealed record ChunkedOutcome(bool Complete, int Consumed, byte[] Data, RequestRejectionReason? Reason)
{
    public override string ToString() => Reason is { } reason
        ? $"rejected {reason}"
        : $"complete={Complete} consumed={Consumed} data={Data.Length} bytes";
}

/// <summary>InvariantViolationException says that the parser or decoder broke a rule that must hold for any input.</summary>
internal sealed class InvariantViolationException : Exception
{
    public InvariantViolationException(string message, Exception? inner)
        : base(message, inner)
    {
    }
}
