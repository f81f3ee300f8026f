using Switchboard.Testing;

namespace Switchboard.EndToEnd.Tests;

/// <summary>samples/Chat.Client, run as a real process from its console, chatting with a browser page.</summary>
public sealed class ChatTerminalClientTests(ChatServerFixture server, ChromiumFixture chromium)
    : IClassFixture<ChatServerFixture>, IClassFixture<ChromiumFixture>
{
    /// <summary>Over each transport the terminal can be told to use, with a page on the other (or the same) one.</summary>
    [Theory]
    [InlineData("auto", "/")]
    [InlineData("longpolling", "/?transport=websocket")]
    [InlineData("websocket", "/?transport=longpolling")]
    public async Task Terminal_user_and_browser_user_chat(string transport, string pagePath)
    {
        var carol = $"carol{Guid.NewGuid():N}"[..12];
        var bob = $"bob{Guid.NewGuid():N}"[..12];
        await using var page = await ChatPage.OpenAsync(chromium.Browser, server.Chat.HttpUri(pagePath), carol);
        using var terminal = ChatTerminal.Start(server.Chat.WebSocketUri("/").ToString().TrimEnd('/'), bob, transport);

        await terminal.WaitForAsync($"connected to");
        await page.ExpectRosterAsync(bob, carol);

        await terminal.TypeAsync("hello from the terminal");
        await page.ExpectMessageAsync(bob, "hello from the terminal");

        await page.SendAsync("hi terminal");
        await terminal.WaitForAsync($"{carol}: hi terminal");

        await terminal.TypeAsync($"/to {carol} just for you");
        await page.ExpectMessageAsync(bob, "just for you", kind: "direct");

        await terminal.TypeAsync("/quit");
        await page.ExpectLeftAsync(bob);
        await page.ExpectRosterAsync(carol);
    }

    [Theory]
    [InlineData("websocket")]
    [InlineData("longpolling")]
    public async Task A_taken_name_exits_1_with_the_reason(string transport)
    {
        var name = $"dan{Guid.NewGuid():N}"[..12];
        await using var page = await ChatPage.OpenAsync(chromium.Browser, server.Chat.HttpUri("/"), name);
        using var terminal = ChatTerminal.Start(server.Chat.WebSocketUri("/").ToString().TrimEnd('/'), name, transport);

        Assert.Equal(1, await terminal.WaitForExitAsync());
        await terminal.WaitForAsync($"could not join: the name '{name}' is taken");
        await page.ExpectRosterAsync(name);
    }

    [Fact]
    public async Task A_server_that_cannot_be_reached_exits_1()
    {
        using var closedPort = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closedPort.Start();
        var port = ((System.Net.IPEndPoint)closedPort.LocalEndpoint).Port;
        closedPort.Stop();
        using var terminal = ChatTerminal.Start($"ws://127.0.0.1:{port}", "erin", "websocket");

        Assert.Equal(1, await terminal.WaitForExitAsync());
        await terminal.WaitForAsync("could not connect to");
    }

    [Fact]
    public async Task Help_prints_the_usage_and_exits_0()
    {
        using var terminal = ChatTerminal.Start(["--help"]);
        Assert.Equal(0, await terminal.WaitForExitAsync());
        await terminal.WaitForAsync("usage: Chat.Client --url");
        await terminal.WaitForAsync("Exit status:");
    }
}
