using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/Transports -- --filter '*'   (see docs/performance.md)
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
