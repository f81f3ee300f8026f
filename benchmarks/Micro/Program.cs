using System.Globalization;
using BenchmarkDotNet.Running;
using Switchboard.Benchmarks.Micro;

// dotnet run -c Release --project benchmarks/Micro -- --filter '*'   (see docs/performance.md)
// dotnet Switchboard.Benchmarks.Micro.dll broadcast typed|raw COUNT   (for an instruction count: BroadcastBenchmarks.Repeat)
if (args is ["broadcast", var kind, var count])
{
    BroadcastBenchmarks.Repeat(kind, int.Parse(count, CultureInfo.InvariantCulture));
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
