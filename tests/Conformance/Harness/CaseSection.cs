using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Xunit;

namespace TinyHttp.Conformance;

/// <summary>
/// CaseSection is one RFC section's cases, held by the test class that runs them (the class is named after the
/// section, <c>Rfc9112_3_RequestLine</c>). The report groups cases by section in catalogue order.
/// </summary>
public sealed class CaseSection
{
    private readonly Dictionary<string, ConformanceCase> _byName = new(StringComparer.Ordinal);

    /// <summary>
    /// Creates a section and takes ownership of <paramref name="cases"/>; case names must be unique within it.
    /// <paramref name="sourceFile"/> is filled in by the compiler: the section class's source file, beside which its snapshots live.
    /// </summary>
    public CaseSection(Type testClass, string citation, string title, IReadOnlyList<ConformanceCase> cases, [CallerFilePath] string sourceFile = "")
    {
        ArgumentNullException.ThrowIfNull(testClass);
        ArgumentNullException.ThrowIfNull(cases);
        ClassName = testClass.Name;
        SourceFile = sourceFile;
        Citation = citation;
        Title = title;
        Cases = cases;
        foreach (ConformanceCase c in cases)
        {
            if (!_byName.TryAdd(c.Name, c))
            {
                throw new ArgumentException($"Section {ClassName} has two cases named {c.Name}.", nameof(cases));
            }
            c.Section = this;
            if (c.Responses.Count == 0 && c.Connection == ConnectionOutcome.Open && c.Delivery != Delivery.ThenHalfClose)
            {
                throw new ArgumentException($"Case {c.Name} expects no response, so it must expect the connection to close.", nameof(cases));
            }
        }
    }

    private CaseSection()
    {
        ClassName = "(unassigned)";
        Citation = string.Empty;
        Title = string.Empty;
        Cases = Array.Empty<ConformanceCase>();
        SourceFile = string.Empty;
    }

    internal static CaseSection Unassigned { get; } = new();

    /// <summary>ClassName is the test class that runs the section, and the first part of its snapshot file names.</summary>
    public string ClassName { get; }

    /// <summary>
    /// SourceFile is the section class's source file. Its snapshots live beside it, so a test class elsewhere that runs the
    /// same cases (the TLS run) verifies against the same files.
    /// </summary>
    public string SourceFile { get; }

    /// <summary>Citation is the RFC section: <c>RFC 9112 §3</c>.</summary>
    public string Citation { get; }

    /// <summary>Title is the section's subject: <c>Request line</c>.</summary>
    public string Title { get; }

    /// <summary>Cases are the section's cases in the order they are written.</summary>
    public IReadOnlyList<ConformanceCase> Cases { get; }

    /// <summary>Returns the case named <paramref name="name"/>.</summary>
    public ConformanceCase this[string name] =>
        _byName.TryGetValue(name, out ConformanceCase? c) ? c : throw new KeyNotFoundException($"Section {ClassName} has no case named {name}.");

    /// <summary>The names of the cases TinyHttp passes today (not marked as a TinyHttp bug), as theory data.</summary>
    public TheoryData<string> PassingNames()
    {
        var data = new TheoryData<string>();
        foreach (ConformanceCase c in Cases)
        {
            if (c.KnownBug is null)
            {
                data.Add(c.Name);
            }
        }
        return data;
    }
}
