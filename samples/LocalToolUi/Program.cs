// A local tool with a web UI: a notes list at http://localhost:8891/, for this machine only.
//   dotnet run --project samples/LocalToolUi [-- --port 9000]
// The page is wwwroot/ next to the program (index.html, app.js, app.css); it calls a JSON API:
//   GET /api/notes, POST /api/notes {"text":"…"}, GET /api/notes/{id}, DELETE /api/notes/{id}.
// The notes live in memory. Ctrl+C stops it gracefully.
using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp;

int port = 8891;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--port" && i + 1 < args.Length && int.TryParse(args[i + 1], out int parsed) && parsed is >= 0 and <= 65535)
    {
        port = parsed;
        i++;
    }
    else
    {
        Console.Error.WriteLine("usage: LocalToolUi [--port N]   (default 8891; 0 picks a free port)");
        return 2;
    }
}

var notes = new SortedDictionary<int, Note>();
int lastId = 0;
var files = new StaticFiles(Path.Combine(AppContext.BaseDirectory, "wwwroot"), "/", new StaticFileOptions { CacheControl = "no-cache" });

var app = new HttpRouter()
    .Map("GET /", files.HandleAsync)                                 // the page: /, /app.js, /app.css
    .Map("GET /api/notes", (request, response) =>
    {
        lock (notes)
        {
            WriteJson(response, 200, new List<Note>(notes.Values), NotesJson.Default.ListNote);
        }
    })
    .Map("GET /api/notes/{id}", (request, response) =>
    {
        lock (notes)
        {
            if (int.TryParse(request.GetRouteValue("id"), out int id) && notes.TryGetValue(id, out Note? note))
            {
                WriteJson(response, 200, note, NotesJson.Default.Note);
                return;
            }
        }
        WriteError(response, 404, "There is no note with this id.");
    })
    .Map("POST /api/notes", async (request, response, requestAborted) =>
    {
        // Another site's page may send a text/plain POST here unasked; an application/json one needs a CORS preflight,
        // which this server never grants.
        if (request.Headers["Content-Type"]?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) != true)
        {
            WriteError(response, 415, "Send the note as application/json.");
            return;
        }
        request.MaxBodySize = 64 * 1024;
        NewNote? input;
        try
        {
            input = await JsonSerializer.DeserializeAsync(request.Body, NotesJson.Default.NewNote, requestAborted);
        }
        catch (JsonException)
        {
            input = null;
        }
        string text = input?.Text?.Trim() ?? "";
        if (text.Length is 0 or > 1000)
        {
            WriteError(response, 400, "Send a JSON object whose text has 1 to 1000 characters.");
            return;
        }
        Note note;
        lock (notes)
        {
            note = new Note(++lastId, text, DateTimeOffset.UtcNow);
            notes.Add(note.Id, note);
        }
        response.Headers.Set("Location", $"/api/notes/{note.Id}");
        WriteJson(response, 201, note, NotesJson.Default.Note);
    })
    .Map("DELETE /api/notes/{id}", (request, response) =>
    {
        bool removed;
        lock (notes)
        {
            removed = int.TryParse(request.GetRouteValue("id"), out int id) && notes.Remove(id);
        }
        if (removed)
        {
            response.StatusCode = 204;
            return;
        }
        WriteError(response, 404, "There is no note with this id.");
    });

// Loopback only, and only under this machine's own names: another site can point its name at 127.0.0.1 (DNS
// rebinding), but its page's requests then carry that name in Host, and get 421 instead of the notes.
var thisMachineOnly = new HttpRouter
{
    NotFound = (request, response, requestAborted) =>
    {
        WriteError(response, 421, "This tool answers only to localhost, 127.0.0.1 and [::1].");
        return Task.CompletedTask;
    },
}
    .Map("localhost/", app.HandleAsync)
    .Map("127.0.0.1/", app.HandleAsync)
    .Map("[::1]/", app.HandleAsync);

await using var server = new TinyHttpServer(new TinyHttpServerOptions().ListenLocalhost(port), thisMachineOnly.HandleAsync);
try
{
    server.Start();
}
catch (IOException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 1;
}
Console.WriteLine($"Notes: open http://localhost:{server.Port}/ in a browser — press Ctrl+C to stop.");

// Ctrl+C (SIGINT) and SIGTERM (docker stop, systemd) both mean "stop gracefully".
using var stop = new CancellationTokenSource();
void RequestStop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, RequestStop);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, RequestStop);
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
}

Console.WriteLine("Stopping…");
using (var drain = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
{
    await server.StopAsync(drain.Token);   // finish in-flight requests, abort what is left after 5 s
}
Console.WriteLine("Stopped.");
return 0;

static void WriteJson<T>(HttpResponse response, int statusCode, T value, JsonTypeInfo<T> type)
{
    response.StatusCode = statusCode;
    response.ContentType = "application/json; charset=utf-8";
    response.SetBody(JsonSerializer.SerializeToUtf8Bytes(value, type));
}

static void WriteError(HttpResponse response, int statusCode, string message) =>
    WriteJson(response, statusCode, new ApiError(message), NotesJson.Default.ApiError);

internal sealed record Note(int Id, string Text, DateTimeOffset Created);

internal sealed record NewNote(string? Text);

internal sealed record ApiError(string Error);

// Serialisation code generated at compile time, so the tool publishes with NativeAOT (no reflection); camelCase names.
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(List<Note>))]
[JsonSerializable(typeof(NewNote))]
[JsonSerializable(typeof(ApiError))]
internal sealed partial class NotesJson : JsonSerializerContext;
