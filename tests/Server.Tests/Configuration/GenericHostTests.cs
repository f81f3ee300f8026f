using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Switchboard.Connections;
using Switchboard.Server.Configuration;
using Switchboard.Server.WebSockets;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.Server.Tests.Configuration;

/// <summary><c>AddSwitchboardServer</c>: the server starts with a Generic Host and stops with it, closing clients with 1001.</summary>
public class GenericHostTests
{
    private static HostApplicationBuilder Builder(params (string Key, string Value)[] settings)
    {
        // DisableDefaults: no appsettings.json or environment variables of the test run's own leak in.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings.Select(s => KeyValuePair.Create<string, string?>(s.Key, s.Value)));
        return builder;
    }

    [Fact]
    public async Task The_server_starts_with_the_host_and_closes_clients_with_1001_when_it_stops()
    {
        var builder = Builder(("Switchboard:EndPoint", "127.0.0.1:0"), ("Switchboard:KeepAliveInterval", "00:00:00"));
        builder.Services.AddSingleton(new Greeting("hello from DI"));
        builder.Services.AddSwitchboardServer((server, services) => server.Map("/greet", new GreetingHandler(services.GetRequiredService<Greeting>())));
        using var host = builder.Build();
        await host.StartAsync();
        var server = host.Services.GetRequiredService<WebSocketServer>();

        using var client = new ClientWebSocket();
        await client.ConnectAsync(new Uri($"ws://127.0.0.1:{server.LocalEndPoint.Port}/greet"), CancellationToken.None);
        Assert.Equal("hello from DI", await ReceiveTextAsync(client));

        var stopping = host.StopAsync();
        var buffer = new byte[64];
        var close = await client.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(Eventually.DefaultBound);
        Assert.Equal(WebSocketMessageType.Close, close.MessageType);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, client.CloseStatus);
        await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        await stopping.WaitAsync(Eventually.DefaultBound);
    }

    [Fact]
    public async Task Options_from_code_with_configuration_layered_over_them()
    {
        var builder = Builder(("Custom:EndPoint", "127.0.0.1:0"));
        WebSocketServerOptions? used = null;
        builder.Services.AddSwitchboardServer(
            services => used = WebSocketServerOptions.FromConfiguration(
                services.GetRequiredService<IConfiguration>().GetSection("Custom"),
                new WebSocketServerOptions { EndPoint = new(System.Net.IPAddress.IPv6Loopback, 0), MaxConnectionsPerAddress = 2 }),
            (server, _) => server.Map("/greet", new GreetingHandler(new Greeting("hi"))));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var server = host.Services.GetRequiredService<WebSocketServer>();
            Assert.Equal(System.Net.IPAddress.Loopback, server.LocalEndPoint.Address);
            Assert.Equal(2, used!.MaxConnectionsPerAddress);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task An_invalid_key_fails_the_host_start_naming_it()
    {
        var builder = Builder(("Switchboard:EndPoint", "127.0.0.1:0"), ("Switchboard:KeepAliveIntreval", "00:00:10"));
        builder.Services.AddSwitchboardServer((server, _) => { });
        using var host = builder.Build();

        var e = await Assert.ThrowsAsync<SwitchboardConfigurationException>(() => host.StartAsync());

        Assert.Equal("Switchboard:KeepAliveIntreval", e.Key);
    }

    [Fact]
    public async Task The_echo_sample_under_the_generic_host_closes_with_1001_and_exits_0_on_SIGTERM()
    {
        await using var echo = await SampleProcess.StartAsync("Echo", "--host", "generic");
        using var client = new ClientWebSocket();
        await client.ConnectAsync(echo.WebSocketUri("/any"), CancellationToken.None);
        await client.SendAsync(Encoding.UTF8.GetBytes("marker"), WebSocketMessageType.Text, true, CancellationToken.None);
        Assert.Equal("marker", await ReceiveTextAsync(client));

        using (var kill = Process.Start("kill", ["-TERM", echo.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
            Assert.Equal(0, kill.ExitCode);
        }

        var buffer = new byte[64];
        var close = await client.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(Eventually.DefaultBound);
        Assert.Equal(WebSocketMessageType.Close, close.MessageType);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, client.CloseStatus);
        await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        var exitCode = await echo.WaitForExitAsync(Eventually.DefaultBound);
        Assert.True(exitCode == 0, $"exit code {exitCode}\n{echo.Output}");
    }

    private static async Task<string> ReceiveTextAsync(ClientWebSocket client)
    {
        var buffer = new byte[1024];
        var result = await client.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(Eventually.DefaultBound);
        Assert.Equal(WebSocketMessageType.Text, result.MessageType);
        Assert.True(result.EndOfMessage);
        return Encoding.UTF8.GetString(buffer, 0, result.Count);
    }

    private sealed record Greeting(string Text);

    /// <summary>Greets each connection with a text from the host's services.</summary>
    private sealed class GreetingHandler(Greeting greeting) : WebSocketHandler
    {
        public override ValueTask OnConnectedAsync(WebSocketConnection connection)
            => connection.SendTextAsync(greeting.Text);

        public override ValueTask OnMessageAsync(WebSocketConnection connection, WebSocketMessage message) => ValueTask.CompletedTask;
    }
}
