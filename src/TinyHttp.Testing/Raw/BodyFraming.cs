namespace TinyHttp.Testing;

/// <summary>BodyFraming says how a response marked the end of its body (RFC 9112 §6.3).</summary>
public enum BodyFraming
{
    /// <summary>No body: a response to HEAD, a 1xx, 204 or 304 response.</summary>
    None,

    /// <summary>The body is exactly as long as the Content-Length field says.</summary>
    ContentLength,

    /// <summary>The body is sent with chunked transfer coding and ends with a zero-size chunk.</summary>
    Chunked,

    /// <summary>Neither length nor chunking was given: the body runs until the server closes the connection.</summary>
    CloseDelimited,
}
