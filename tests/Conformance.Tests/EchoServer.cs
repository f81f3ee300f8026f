using Switchboard.Conformance.Tests.Model;
using Switchboard.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Switchboard.Conformance.Tests;

/// <summary>
/// One real samples/Echo process per test class, on 127.0.0.1 with an OS-chosen port, on its standalone host
/// (<see cref="AspNetCoreEchoServer"/> runs it on ASP.NET Core).
/// </summary>
public class EchoServer : IAsyncLifetime
{
    private SampleProcess? _process;

    /// <summary>The host, as <c>Echo --host</c> names it.</summary>
    public virtual string Host => "standalone";

    public int Port => (_process ?? throw new InvalidOperationException($"Echo ({Host}) has not started")).Port;

    public async Task InitializeAsync() => _process = await SampleProcess.StartAsync("Echo", "--host", Host);

    public async Task DisposeAsync()
    {
        if (_process is not null) await _process.DisposeAsync();
    }

    /// <summary>Plays the case and fails the test with the full transcript (and the server's recent output) when it does not pass.</summary>
    public async Task RunAsync(ConformanceCase c, ITestOutputHelper output)
    {
        var result = await CaseRunner.RunAsync(Port, c);
        output.WriteLine(result.Report);
        if (!result.Passed) Assert.Fail(result.Report + ServerOutput());
    }

    public string ServerOutput()
    {
        var lines = (_process?.Output ?? "").Split('\n');
        return $"\n--- Echo ({Host}) output (last lines) ---\n" + string.Join('\n', lines.TakeLast(20));
    }
}
