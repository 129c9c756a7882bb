using System;
using System.Linq;
using System.Reflection;
using Xunit;

namespace TinyHttp.Conformance;

/// <summary>Checks on the catalogue itself: its size, and that every case TinyHttp fails today is a visible skipped test.</summary>
public sealed class CatalogueTests
{
    [Fact]
    public void The_catalogue_holds_at_least_150_cases_in_every_section_class()
    {
        Assert.True(CaseCatalogue.AllCases.Count() >= 150, $"{CaseCatalogue.AllCases.Count()} cases");
        Type[] sectionClasses = typeof(CatalogueTests).Assembly.GetTypes()
            .Where(t => t.GetField("Section", BindingFlags.Public | BindingFlags.Static)?.FieldType == typeof(CaseSection))
            .ToArray();
        Assert.Equal(
            sectionClasses.Select(t => t.Name).Order(StringComparer.Ordinal),
            CaseCatalogue.Sections.Select(s => s.ClassName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_case_marked_as_a_TinyHttp_bug_is_a_skipped_fact_of_the_same_name()
    {
        foreach (CaseSection section in CaseCatalogue.Sections)
        {
            Type testClass = typeof(CatalogueTests).Assembly.GetTypes().Single(t => t.Name == section.ClassName);
            foreach (ConformanceCase c in section.Cases.Where(c => c.KnownBug is not null))
            {
                MethodInfo? method = testClass.GetMethod(c.Name);
                FactAttribute? fact = method?.GetCustomAttribute<FactAttribute>();
                Assert.True(fact?.Skip?.StartsWith("TinyHttp bug: ", StringComparison.Ordinal) == true,
                    $"{section.ClassName}.{c.Name} is marked as a TinyHttp bug but has no [Fact(Skip = \"TinyHttp bug: ...\")] method of that name.");
            }
        }
    }
}
