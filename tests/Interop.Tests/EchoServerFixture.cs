using Switchboard.Testing;

namespace Switchboard.Interop.Tests;

/// <summary>One samples/Echo process per test class, on 127.0.0.1 with an OS-chosen port.</summary>
public sealed class EchoServerFixture : IAsyncLifetime
{
    private SampleProcess? _echo;

    /// <summary>The running Echo process.</summary>
    public SampleProcess Echo => _echo ?? throw new InvalidOperationException("the Echo sample is not running");

    /// <summary>A ws:// address on the Echo server (it echoes on every path).</summary>
    public Uri Uri(string path = "/interop") => Echo.WebSocketUri(path);

    public async Task InitializeAsync() => _echo = await SampleProcess.StartAsync("Echo");

    public async Task DisposeAsync()
    {
        if (_echo is not null) await _echo.DisposeAsync();
    }
}
