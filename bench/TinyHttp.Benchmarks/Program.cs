using BenchmarkDotNet.Running;

namespace TinyHttp.Benchmarks;

/// <summary>
/// Runs the micro-benchmarks; the arguments are BenchmarkDotNet's. A run of a few minutes:
/// <c>dotnet run -c Release --project bench/TinyHttp.Benchmarks -- --filter '*' --job short --inProcess</c>.
/// </summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
