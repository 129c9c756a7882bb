using System;
using System.Collections.Generic;
using System.Text;

namespace TinyHttp.Testing;

/// <summary>
/// RecordedWebSocket is what happened on one request a <see cref="StubResponse.WebSocket"/> route answered: the
/// messages the client sent and, when the script did not go as written, why. It fills in while the WebSocket is open;
/// a message is recorded before the stub acts on it, so once the client has seen the stub's next step, the message is here.
/// </summary>
public sealed class RecordedWebSocket
{
    private readonly WebSocketStep[] _steps;
    private readonly List<RecordedWebSocketMessage> _messages = new();
    private readonly int _expectCount;
    private string? _failure;
    private int _expectsMet;

    internal RecordedWebSocket(WebSocketStep[] steps)
    {
        _steps = steps;
        foreach (WebSocketStep step in steps)
        {
            if (step.Kind == WebSocketStepKind.Expect)
            {
                _expectCount++;
            }
        }
    }

    /// <summary>ReceivedMessages are the messages the client sent, in arrival order, those after the script ended included (a copy).</summary>
    public IReadOnlyList<RecordedWebSocketMessage> ReceivedMessages
    {
        get
        {
            lock (_messages)
            {
                return _messages.ToArray();
            }
        }
    }

    /// <summary>
    /// Failure says why the script did not run as written, for example
    /// <c>Step 2, Expect text "subscribe": received text "subscrbe".</c>; null while nothing has gone wrong.
    /// </summary>
    public string? Failure
    {
        get
        {
            lock (_messages)
            {
                return _failure;
            }
        }
    }

    /// <summary>True when every Expect step has been met and nothing has failed.</summary>
    internal bool IsCompleted
    {
        get
        {
            lock (_messages)
            {
                return _failure is null && _expectsMet == _expectCount;
            }
        }
    }

    internal void Record(RecordedWebSocketMessage message, bool metAnExpect)
    {
        lock (_messages)
        {
            _messages.Add(message);
            if (metAnExpect)
            {
                _expectsMet++;
            }
        }
    }

    /// <summary>Records the first failure; later ones (the connection ending after a mismatch) are its consequences.</summary>
    internal void Fail(string failure)
    {
        lock (_messages)
        {
            _failure ??= failure;
        }
    }

    /// <summary>Describes the session for an assertion's message: its state, the script, and the messages received.</summary>
    internal void Describe(StringBuilder text, string indent)
    {
        string? failure;
        int expectsMet;
        RecordedWebSocketMessage[] messages;
        lock (_messages)
        {
            failure = _failure;
            expectsMet = _expectsMet;
            messages = _messages.ToArray();
        }
        string newLine = Environment.NewLine;
        if (failure is not null)
        {
            text.Append(indent).Append(failure).Append(newLine);
        }
        else if (expectsMet < _expectCount)
        {
            int waiting = IndexOfExpect(expectsMet);
            text.Append(indent).Append("Still waiting at step ").Append(waiting + 1).Append(", ").Append(_steps[waiting].Description).Append('.').Append(newLine);
        }
        else
        {
            text.Append(indent).Append("Completed.").Append(newLine);
        }
        text.Append(indent).Append("Script:");
        if (_steps.Length == 0)
        {
            text.Append(" no steps");
        }
        for (int i = 0; i < _steps.Length; i++)
        {
            text.Append(newLine).Append(indent).Append("  ").Append(i + 1).Append(". ").Append(_steps[i].Description);
        }
        text.Append(newLine).Append(indent).Append(messages.Length switch
        {
            0 => "Received no messages.",
            1 => "Received 1 message:",
            _ => $"Received {messages.Length} messages:",
        });
        for (int i = 0; i < messages.Length; i++)
        {
            text.Append(newLine).Append(indent).Append("  ").Append(i + 1).Append(". ").Append(messages[i]);
        }
    }

    private int IndexOfExpect(int ordinal)
    {
        for (int i = 0, seen = 0; i < _steps.Length; i++)
        {
            if (_steps[i].Kind == WebSocketStepKind.Expect && seen++ == ordinal)
            {
                return i;
            }
        }
        return _steps.Length - 1;
    }
}
