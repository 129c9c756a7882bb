using System;
using System.Collections.Generic;

namespace TinyHttp.Hosting;

/// <summary>One server added with <c>AddTinyHttpServer</c>: its name, configuration section, handler and health-check paths.</summary>
internal sealed class ServerRegistration
{
    public const string RootSection = "TinyHttp";

    public ServerRegistration(string name)
    {
        Name = name;
        SectionPath = name.Length == 0 ? RootSection : RootSection + ":" + name;
        LoggerCategory = name.Length == 0 ? "TinyHttp.Server" : "TinyHttp.Server." + name;
    }

    public string Name { get; }

    public string SectionPath { get; }

    /// <summary><c>TinyHttp.Server</c>, or <c>TinyHttp.Server.NAME</c>: a filter on <c>TinyHttp</c> or <c>TinyHttp.Server</c> covers every server.</summary>
    public string LoggerCategory { get; }

    /// <summary>Makes the handler when the server is created; null answers every request but the health checks with 404.</summary>
    public Func<IServiceProvider, RequestHandler>? CreateHandler { get; set; }

    public List<HealthCheckEndpoint> HealthChecks { get; } = new();
}
