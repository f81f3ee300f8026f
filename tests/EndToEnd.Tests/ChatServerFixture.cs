using Switchboard.Testing;

namespace Switchboard.EndToEnd.Tests;

/// <summary>One samples/Chat process per test class, on 127.0.0.1 with an OS-chosen port.</summary>
public sealed class ChatServerFixture : IAsyncLifetime
{
    private SampleProcess? _chat;

    public SampleProcess Chat => _chat ?? throw new InvalidOperationException("the Chat sample is not running");

    public async Task InitializeAsync() => _chat = await SampleProcess.StartAsync("Chat");

    public async Task DisposeAsync()
    {
        if (_chat is not null) await _chat.DisposeAsync();
    }
}
