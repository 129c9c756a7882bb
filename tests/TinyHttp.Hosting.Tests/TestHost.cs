using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace TinyHttp.Hosting.Tests;

/// <summary>A real Generic Host for a test: configuration from a JSON string, logs captured, no console.</summary>
internal static class TestHost
{
    /// <summary>A host builder whose configuration is <paramref name="json"/> (the appsettings.json a user would write).</summary>
    public static HostApplicationBuilder Builder(string json = "{}")
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        return builder;
    }

    /// <summary>A client for one of the host's servers (by name; the default server when empty).</summary>
    public static HttpClient Client(IHost host, string name = "") =>
        new() { BaseAddress = host.Services.GetRequiredKeyedService<TinyHttpServer>(name).BaseAddress };
}

/// <summary>Keeps every log entry, with its category, for assertions.</summary>
internal sealed class LogCapture : ILoggerProvider
{
    private readonly List<(string Category, EventId EventId, string Message)> _entries = new();

    public IReadOnlyList<(string Category, EventId EventId, string Message)> Entries
    {
        get
        {
            lock (_entries)
            {
                return _entries.ToArray();
            }
        }
    }

    /// <summary>Called with each entry as it is logged, on the logging thread.</summary>
    public Action<string, EventId>? OnEntry { get; set; }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (capture._entries)
            {
                capture._entries.Add((category, eventId, formatter(state, exception)));
            }
            capture.OnEntry?.Invoke(category, eventId);
        }
    }
}
