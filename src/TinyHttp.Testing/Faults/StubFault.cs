namespace TinyHttp.Testing;

/// <summary>StubFault is what a <see cref="StubResponse"/> does instead of, or to, a well-formed response.</summary>
internal enum StubFault
{
    None,

    /// <summary>Close the connection (FIN) before sending anything.</summary>
    Close,

    /// <summary>Reset the connection (RST) before sending anything.</summary>
    Reset,

    /// <summary>Send the body bytes verbatim in place of a response, then close.</summary>
    Raw,

    /// <summary>Announce the whole body but send only part of it, then close.</summary>
    Truncate,

    /// <summary>Send the body in small writes with pauses between them.</summary>
    Drip,
}
