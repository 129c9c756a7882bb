using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace TinyHttp.Conformance;

/// <summary>ReportWriter renders docs/conformance.md from a run of every case against TinyHttp and Kestrel.</summary>
public static class ReportWriter
{
    private const int RequestColumnLength = 72;

    /// <summary>Returns the Markdown report for <paramref name="rows"/>.</summary>
    public static string Write(IReadOnlyList<ReportRow> rows)
    {
        var md = new StringBuilder();
        md.Append("# Conformance: TinyHttp and Kestrel, case by case\n\n");
        md.Append("<!-- Generated from a real run; do not edit by hand. Regenerate with:\n");
        md.Append("       dotnet run --project tests/Conformance -- --report docs/conformance.md\n");
        md.Append("     Explanations of differences live with the cases (KestrelDiffers in tests/Conformance). -->\n\n");
        md.Append("Every case of [`tests/Conformance`](../tests/Conformance) sends exact bytes over a real socket to TinyHttp and to ")
          .Append("Kestrel (ASP.NET Core ").Append(KestrelUnderTest.Version).Append(", in-process, `WebApplication.CreateSlimBuilder`), ")
          .Append("each running the same handler (`ConformanceHandler`: echo what it saw, or `/status/{code}`, `/stream`, `/ignore-body`, and `/files/` served by TinyHttp's `StaticFiles` and by ASP.NET Core's static file middleware). ")
          .Append("`dotnet test` asserts TinyHttp's side of every case in full (status line byte for byte, framing fields, Date, ")
          .Append("what the handler saw, snapshots); this page is the side-by-side view.\n\n");
        md.Append("**Outcome** is the status code of each final response (an interim response shows as `100→200`), then what the connection ")
          .Append("was like afterwards, found by sending one more request: `open` (it was answered), `close` (the server closed), ")
          .Append("`desync` (something else came back: the server framed the bytes differently), `waits` (no answer in ")
          .Append("5 s; the server is still waiting for bytes). `none` means no response.\n\n");

        int total = rows.Count;
        int bugs = rows.Count(r => r.Case.KnownBug is not null);
        int differing = rows.Count(r => r.Differs);
        md.Append("## Summary\n\n");
        md.Append($"- {total} cases in {rows.Select(r => r.Case.Section).Distinct().Count()} sections; ")
          .Append($"TinyHttp meets {rows.Count(r => r.TinyHttpFailures.Count == 0)} of them")
          .Append(bugs == 0 ? ".\n" : $"; {bugs} are known TinyHttp bugs (skipped tests, marked **TinyHttp bug** below).\n");
        md.Append($"- Kestrel's outcome is the same for {total - differing} cases and differs for {differing}:\n");
        foreach ((Difference kind, string label) in Kinds)
        {
            int count = rows.Count(r => r.Difference == kind);
            if (count > 0)
            {
                md.Append($"  - {label}: {count}\n");
            }
        }
        md.Append('\n');

        WriteList(md, "Where Kestrel is stricter than TinyHttp", rows.Where(r => r.Difference == Difference.KestrelStricter));
        WriteList(md, "Known TinyHttp bugs", rows.Where(r => r.Case.KnownBug is not null));

        foreach (IGrouping<CaseSection, ReportRow> section in rows.GroupBy(r => r.Case.Section))
        {
            md.Append("## ").Append(section.Key.Citation).Append(": ").Append(section.Key.Title)
              .Append(" (`").Append(section.Key.ClassName).Append("`)\n\n");
            md.Append("| Case | Sends | TinyHttp | Kestrel | Note |\n|---|---|---|---|---|\n");
            foreach (ReportRow row in section)
            {
                md.Append("| ").Append(Cell(row.Case.Name.Replace('_', ' ')))
                  .Append(" | ").Append(Code(Truncate(HandlerView.EscapeBytes(row.Case.Request))))
                  .Append(" | ").Append(Outcome(row.TinyHttp, row.Differs))
                  .Append(" | ").Append(Outcome(row.Kestrel, row.Differs))
                  .Append(" | ").Append(Cell(Note(row)))
                  .Append(" |\n");
            }
            md.Append('\n');
        }

        List<ConformanceCase> choices = rows.Select(r => r.Case).Where(c => c.IsChoice).ToList();
        md.Append("## Choices TinyHttp makes where the RFCs allow more than one\n\n");
        foreach (IGrouping<string, ConformanceCase> choice in choices.GroupBy(c => c.Rationale!))
        {
            md.Append("- ").Append(choice.Key).Append(" (")
              .Append(string.Join(", ", choice.Select(c => $"`{c.Section.ClassName}.{c.Name}`"))).Append(")\n");
        }
        return md.ToString();
    }

    private static readonly (Difference, string)[] Kinds =
    [
        (Difference.KestrelStricter, "Kestrel refuses (or gives up on) what TinyHttp accepts"),
        (Difference.KestrelMoreLenient, "Kestrel accepts what TinyHttp refuses"),
        (Difference.OtherStatus, "both refuse (or both accept) with different status codes"),
        (Difference.Connection, "same statuses, the connection ends differently"),
    ];

    private static void WriteList(StringBuilder md, string title, IEnumerable<ReportRow> rows)
    {
        List<ReportRow> list = rows.ToList();
        if (list.Count == 0)
        {
            return;
        }
        md.Append("### ").Append(title).Append("\n\n");
        foreach (ReportRow row in list)
        {
            md.Append("- `").Append(row.Case.Section.ClassName).Append('.').Append(row.Case.Name).Append("`: sends ")
              .Append(Code(HandlerView.EscapeBytes(row.Case.Request))).Append("; TinyHttp ").Append(row.TinyHttp.Summary())
              .Append(", Kestrel ").Append(row.Kestrel.Summary()).Append(". ").Append(Note(row)).Append('\n');
        }
        md.Append('\n');
    }

    private static string Outcome(CaseObservation observation, bool differs)
    {
        string summary = observation.Summary();
        return differs ? $"**{summary}**" : summary;
    }

    private static string Note(ReportRow row)
    {
        var parts = new List<string>();
        if (row.Case.KnownBug is not null)
        {
            parts.Add("**TinyHttp bug**: " + row.Case.KnownBug + ".");
        }
        else if (row.TinyHttpFailures.Count > 0)
        {
            parts.Add("**TinyHttp fails this case**: " + string.Join("; ", row.TinyHttpFailures) + ".");
        }
        if (row.Differs)
        {
            parts.Add(row.Case.KestrelNote ?? "(difference not yet explained)");
        }
        foreach (string detail in row.Details)
        {
            parts.Add(detail + ".");
        }
        return string.Join(" ", parts);
    }

    private static string Truncate(string text) =>
        text.Length <= RequestColumnLength ? text : text[..(RequestColumnLength - 1)] + "…";

    // A code span that survives a table: pipes escaped, and fenced with more backticks than the text holds.
    private static string Code(string text)
    {
        string fence = text.Contains('`', StringComparison.Ordinal) ? "``" : "`";
        string padding = text.StartsWith('`') || text.EndsWith('`') ? " " : string.Empty;
        return fence + padding + text.Replace("|", "\\|", StringComparison.Ordinal) + padding + fence;
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
