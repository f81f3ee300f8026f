using Switchboard.Testing;

namespace Switchboard.EndToEnd.Tests;

/// <summary>samples/Echo with its inspector (<c>--inspector</c>), one process per test class.</summary>
public sealed class InspectorEchoFixture : IAsyncLifetime
{
    private SampleProcess? _echo;

    public SampleProcess Echo => _echo ?? throw new InvalidOperationException("the Echo sample is not running");

    public async Task InitializeAsync()
    {
        // Run from the copy of its build output beside the tests (RunBeside in the project file).
        var dll = Path.Combine(AppContext.BaseDirectory, "samples", "Echo", "Echo.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException("samples/Echo is not built beside the tests", dll);
        _echo = await SampleProcess.StartProgramAsync("dotnet", [dll, "--port", "0", "--inspector"]);
    }

    public async Task DisposeAsync()
    {
        if (_echo is not null) await _echo.DisposeAsync();
    }
}
