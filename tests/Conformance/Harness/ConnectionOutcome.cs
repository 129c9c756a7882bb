namespace TinyHttp.Conformance;

/// <summary>
/// ConnectionOutcome is what a connection is like after a case's responses, found by sending one more request
/// (the probe, <c>GET /probe</c> with <c>Connection: close</c>) and seeing what comes back.
/// </summary>
public enum ConnectionOutcome
{
    /// <summary>The probe is answered by the handler: the connection persisted and framing stayed in step.</summary>
    Open,

    /// <summary>The server closed the connection (FIN or reset) without answering the probe.</summary>
    Closed,

    /// <summary>Something other than the probe's answer came back: the server read the bytes differently than the client framed them.</summary>
    Desynchronised,

    /// <summary>Nothing came back and the connection stayed open: the server is still waiting for bytes it thinks are owed.</summary>
    StillWaiting,
}
