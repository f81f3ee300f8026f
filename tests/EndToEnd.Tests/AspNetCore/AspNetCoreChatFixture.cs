using Switchboard.Testing;

namespace Switchboard.EndToEnd.Tests.AspNetCore;

/// <summary>
/// One samples/Chat.AspNetCore process per test class, on 127.0.0.1 with an OS-chosen port, run from the copy of its
/// build output in samples/Chat.AspNetCore/ beside the tests.
/// </summary>
public sealed class AspNetCoreChatFixture : IAsyncLifetime
{
    /// <summary>The token <c>POST /announce</c> asks for, given to the sample on its command line.</summary>
    public const string AnnounceToken = "end-to-end-announce-token";

    private SampleProcess? _chat;

    public SampleProcess Chat => _chat ?? throw new InvalidOperationException("the Chat.AspNetCore sample is not running");

    public async Task InitializeAsync()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "samples", "Chat.AspNetCore", "Chat.AspNetCore.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException("samples/Chat.AspNetCore is not built beside the tests", dll);
        _chat = await SampleProcess.StartProgramAsync("dotnet", [dll, "--port", "0", "--announce-token", AnnounceToken]);
    }

    public async Task DisposeAsync()
    {
        if (_chat is not null) await _chat.DisposeAsync();
    }
}
