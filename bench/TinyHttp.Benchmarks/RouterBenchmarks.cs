using System;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using TinyHttp.Protocol;
using TinyHttp.Routing;

namespace TinyHttp.Benchmarks;

/// <summary>
/// What HttpRouter costs per request beside the switch a developer would write by hand, for an API of 50 routes
/// (10 resources, each with GET and POST on the collection and GET, PUT and DELETE on an item). The router side is the
/// work HttpRouter.HandleAsync does beyond reading Method and Path: the clean-path check, the tree match, the subtree-redirect
/// check when the match is inexact, and decoding the captured values. The targets: 0 B for a literal route, the value's
/// string only (32 B for a five-digit id) for a wildcard route.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class RouterBenchmarks
{
    private static readonly string[] Resources =
        { "users", "orders", "products", "invoices", "customers", "carts", "payments", "shipments", "reviews", "coupons" };

    private readonly RouteTable<int> _table = new();
    private readonly Range[] _captures;
    private readonly string?[] _values = new string?[2];

    public RouterBenchmarks()
    {
        int handler = 0;
        foreach (string resource in Resources)
        {
            _table.Add(RoutePattern.Parse($"GET /api/{resource}"), handler++);
            _table.Add(RoutePattern.Parse($"POST /api/{resource}"), handler++);
            _table.Add(RoutePattern.Parse($"GET /api/{resource}/{{id}}"), handler++);
            _table.Add(RoutePattern.Parse($"PUT /api/{resource}/{{id}}"), handler++);
            _table.Add(RoutePattern.Parse($"DELETE /api/{resource}/{{id}}"), handler++);
        }
        _captures = new Range[_table.MaxWildcards];
    }

    [Benchmark(Baseline = true, Description = "switch: GET /api/shipments"), BenchmarkCategory("literal")]
    public int SwitchLiteral() => Switch("GET", "/api/shipments", out _);

    [Benchmark(Description = "router: GET /api/shipments"), BenchmarkCategory("literal")]
    public int RouterLiteral() => Route("GET", "/api/shipments");

    [Benchmark(Baseline = true, Description = "switch: DELETE /api/reviews/{id}"), BenchmarkCategory("wildcard")]
    public int SwitchWildcard() => Switch("DELETE", "/api/reviews/12345", out _);

    [Benchmark(Description = "router: DELETE /api/reviews/{id}"), BenchmarkCategory("wildcard")]
    public int RouterWildcard() => Route("DELETE", "/api/reviews/12345");

    [Benchmark(Baseline = true, Description = "switch: miss"), BenchmarkCategory("miss")]
    public int SwitchMiss() => Switch("GET", "/api/nothing/here/at/all", out _);

    [Benchmark(Description = "router: miss"), BenchmarkCategory("miss")]
    public int RouterMiss() => Route("GET", "/api/nothing/here/at/all");

    private int Route(string method, string path)
    {
        if (!RoutePath.IsClean(path))
        {
            return -2;
        }
        RouteEntry<int>? entry = _table.Match(method, ReadOnlySpan<char>.Empty, path, _captures);
        if (entry is null)
        {
            return -1;
        }
        string?[] names = entry.Pattern.WildcardNames;
        for (int i = 0; i < names.Length; i++)
        {
            _values[i] = PercentDecoding.DecodeAll(path.AsSpan()[_captures[i]]);
        }
        return entry.Value;
    }

    // The hand-written equivalent: prefix, resource by a switch on the segment, then method and optional id.
    private static int Switch(string method, string path, out string? id)
    {
        id = null;
        if (!path.StartsWith("/api/", StringComparison.Ordinal))
        {
            return -1;
        }
        ReadOnlySpan<char> rest = path.AsSpan(5);
        int slash = rest.IndexOf('/');
        ReadOnlySpan<char> resource = slash < 0 ? rest : rest[..slash];
        int r = resource switch
        {
            "users" => 0,
            "orders" => 1,
            "products" => 2,
            "invoices" => 3,
            "customers" => 4,
            "carts" => 5,
            "payments" => 6,
            "shipments" => 7,
            "reviews" => 8,
            "coupons" => 9,
            _ => -1,
        };
        if (r < 0)
        {
            return -1;
        }
        if (slash < 0)
        {
            return method switch
            {
                "GET" => r * 5,
                "POST" => (r * 5) + 1,
                _ => -1,
            };
        }
        ReadOnlySpan<char> item = rest[(slash + 1)..];
        if (item.IsEmpty || item.Contains('/'))
        {
            return -1;
        }
        int m = method switch
        {
            "GET" => 2,
            "PUT" => 3,
            "DELETE" => 4,
            _ => -1,
        };
        if (m < 0)
        {
            return -1;
        }
        id = new string(item);
        return (r * 5) + m;
    }
}
