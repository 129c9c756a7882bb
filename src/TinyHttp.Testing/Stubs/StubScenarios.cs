using System;
using System.Collections.Generic;

namespace TinyHttp.Testing;

/// <summary>
/// The named states of one stub's scenarios. A scenario not yet moved is in <see cref="StubServer.ScenarioStarted"/>.
/// Routes read and move them while the stub picks a route for a request, one request at a time, so "the first POST
/// creates it, later GETs see it" follows the order requests arrive in.
/// </summary>
internal sealed class StubScenarios
{
    private readonly Dictionary<string, string> _states = new(StringComparer.Ordinal);

    public string Get(string scenario)
    {
        lock (_states)
        {
            return _states.TryGetValue(scenario, out string? state) ? state : StubServer.ScenarioStarted;
        }
    }

    public void Set(string scenario, string state)
    {
        lock (_states)
        {
            _states[scenario] = state;
        }
    }

    public void Clear()
    {
        lock (_states)
        {
            _states.Clear();
        }
    }
}
