using System.Diagnostics;
using System.Text;
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
        using var terminal = Terminal.Start(server.Chat.WebSocketUri("/").ToString().TrimEnd('/'), bob, transport);

        await terminal.WaitForAsync($"connected to");
        await page.ExpectRosterAsync(bob, carol);

        await terminal.TypeAsync("hello from the terminal");
        await page.ExpectMessageAsync(bob, "hello from the terminal");

        await page.SendAsync("hi terminal");
        await terminal.WaitForAsync($"{carol}: hi terminal");

        await terminal.TypeAsync($"/to {carol} just for you");
        await page.ExpectMessageAsync(bob, "just for you", kind: "direct");

        await terminal.TypeAsync("/quit");
        await page.ExpectRosterAsync(carol);
    }

    [Theory]
    [InlineData("websocket")]
    [InlineData("longpolling")]
    public async Task A_taken_name_exits_1_with_the_reason(string transport)
    {
        var name = $"dan{Guid.NewGuid():N}"[..12];
        await using var page = await ChatPage.OpenAsync(chromium.Browser, server.Chat.HttpUri("/"), name);
        using var terminal = Terminal.Start(server.Chat.WebSocketUri("/").ToString().TrimEnd('/'), name, transport);

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
        using var terminal = Terminal.Start($"ws://127.0.0.1:{port}", "erin", "websocket");

        Assert.Equal(1, await terminal.WaitForExitAsync());
        await terminal.WaitForAsync("could not connect to");
    }

    [Fact]
    public async Task Help_prints_the_usage_and_exits_0()
    {
        using var terminal = Terminal.Start(["--help"]);
        Assert.Equal(0, await terminal.WaitForExitAsync());
        await terminal.WaitForAsync("usage: Chat.Client --url");
        await terminal.WaitForAsync("Exit status:");
    }

    private sealed class Terminal : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();
        private readonly Changes _printed = new();

        private Terminal(Process process)
        {
            _process = process;
            process.OutputDataReceived += (_, e) => Print(e.Data);
            process.ErrorDataReceived += (_, e) => Print(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public static Terminal Start(string url, string name, string transport) => Start(["--url", url, "--name", name, "--transport", transport]);

        public static Terminal Start(string[] args)
        {
            var info = new ProcessStartInfo("dotnet")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Chat.Client.dll") }.Concat(args)) info.ArgumentList.Add(arg);
            return new Terminal(Process.Start(info) ?? throw new InvalidOperationException("could not start Chat.Client"));
        }

        public async Task TypeAsync(string line)
        {
            await _process.StandardInput.WriteLineAsync(line);
            await _process.StandardInput.FlushAsync();
        }

        /// <summary>The exit code, once the process has ended; fails after 30 seconds.</summary>
        public async Task<int> WaitForExitAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(timeout.Token);
            return _process.ExitCode;
        }

        public Task WaitForAsync(string text) => _printed.UntilAsync(
            () => Printed().Contains(text, StringComparison.Ordinal),
            () => $"Chat.Client printed '{text}'. It printed:\n{Printed()}",
            TimeSpan.FromSeconds(15));

        private string Printed()
        {
            lock (_output) return _output.ToString();
        }

        private void Print(string? line)
        {
            if (line is null) return;
            lock (_output) _output.AppendLine(line);
            _printed.Pulse();
        }

        public void Dispose()
        {
            try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            _process.WaitForExit(10_000);
            _process.Dispose();
        }
    }
}
