using System.Net.WebSockets;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Client;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.Server.Tests.DependencyInjection;

/// <summary>
/// <c>services.AddMessageEndpoint</c>: the endpoint and its <see cref="IMessageSender"/> in the container, keyed by
/// name (and without a key while there is one), built with the container's services, mapped on a real server.
/// </summary>
public sealed class MessageEndpointRegistrationTests
{
    [Fact]
    public async Task The_sender_from_the_container_pushes_to_a_connected_client()
    {
        var services = new ServiceCollection();
        services.AddSingleton<SharedService>();
        services.AddMessageEndpoint("chat", SwitchboardMessages.Catalog, (endpoint, _) => endpoint.OnConnected(context => context.SetUserAsync(context.RouteValues["user"])));
        await using var container = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        var endpoint = container.GetRequiredKeyedService<MessageEndpoint>("chat");
        Assert.Same(endpoint, container.GetRequiredService<MessageEndpoint>());
        Assert.Same(endpoint, container.GetRequiredKeyedService<IMessageSender>("chat"));
        // Its services are the container's root (the provider singletons are built with).
        Assert.Same(container.GetRequiredService<SharedService>(), endpoint.Services!.GetRequiredService<SharedService>());

        await using var server = new TestServer(null, ("/chat/{user}", endpoint));
        var notes = Channel.CreateUnbounded<Note>();
        await using var client = new SwitchboardClient(server.Uri("/chat/alice"), SwitchboardMessages.Catalog);
        client.On<Note>(note => notes.Writer.TryWrite(note));
        await client.ConnectAsync();

        // What a controller or a background service does: it holds a sender, not the endpoint.
        var sender = container.GetRequiredService<IMessageSender>();
        await Eventually.TrueAsync(() => sender.IsConnectedAsync("alice").AsTask().GetAwaiter().GetResult(), "alice connected");
        Assert.Equal(["alice"], await sender.UsersAsync());
        await sender.User("alice").SendAsync(new Note("to alice", 1));
        await sender.All.SendAsync(new Note("to all", 2));
        Assert.Equal(new Note("to alice", 1), await NextAsync(notes));
        Assert.Equal(new Note("to all", 2), await NextAsync(notes));
    }

    [Fact]
    public async Task Two_endpoints_resolve_each_by_name_and_not_without_one()
    {
        var services = new ServiceCollection();
        foreach (var name in new[] { "chat", "game" })
        {
            services.AddMessageEndpoint(name, SwitchboardMessages.Catalog, (endpoint, _) =>
                endpoint.On<Route>((context, route) => context.SendAsync(new Note(name, route.Seq))));
        }
        await using var container = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        var chat = container.GetRequiredKeyedService<MessageEndpoint>("chat");
        var game = container.GetRequiredKeyedService<MessageEndpoint>("game");
        Assert.NotSame(chat, game);
        Assert.Same(chat, container.GetRequiredKeyedService<IMessageSender>("chat"));
        Assert.Same(game, container.GetRequiredKeyedService<IMessageSender>("game"));

        foreach (var type in new[] { typeof(IMessageSender), typeof(MessageEndpoint) })
        {
            var error = Assert.Throws<InvalidOperationException>(() => container.GetRequiredService(type));
            Assert.Contains("2 message endpoints are registered ('chat', 'game')", error.Message, StringComparison.Ordinal);
            Assert.Contains($"GetRequiredKeyedService<{type.Name}>(\"chat\")", error.Message, StringComparison.Ordinal);
        }

        await using var server = new TestServer(null, ("/chat", chat), ("/game", game));
        foreach (var name in new[] { "chat", "game" })
        {
            var notes = Channel.CreateUnbounded<Note>();
            await using var client = new SwitchboardClient(server.Uri("/" + name), SwitchboardMessages.Catalog);
            client.On<Note>(note => notes.Writer.TryWrite(note));
            await client.ConnectAsync();
            await client.SendAsync(new Route("r", null, 7));
            Assert.Equal(new Note(name, 7), await NextAsync(notes));
        }
    }

    [Fact]
    public void A_name_is_registered_once_and_every_argument_is_checked()
    {
        var services = new ServiceCollection();
        services.AddMessageEndpoint("chat", SwitchboardMessages.Catalog, (_, _) => { });

        var twice = Assert.Throws<ArgumentException>(() => services.AddMessageEndpoint("chat", SwitchboardMessages.Catalog, (_, _) => { }));
        Assert.Equal("name", twice.ParamName);
        Assert.Contains("'chat' is already registered", twice.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => services.AddMessageEndpoint("", SwitchboardMessages.Catalog, (_, _) => { }));
        Assert.Throws<ArgumentNullException>(() => services.AddMessageEndpoint("game", null!, (_, _) => { }));
        Assert.Throws<ArgumentNullException>(() => services.AddMessageEndpoint("game", SwitchboardMessages.Catalog, null!));
    }

    [Fact]
    public async Task The_endpoint_logs_to_the_containers_logger_factory_and_keeps_time_by_its_clock()
    {
        var logs = new RecordingLoggerFactory();
        var clock = new ManualClock();
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(logs);
        services.AddSingleton<TimeProvider>(clock);
        services.AddMessageEndpoint("chat", SwitchboardMessages.Catalog, (endpoint, _) => endpoint.On<Route>(async (context, route) =>
        {
            await context.SendAsync(new Note("handled", route.Seq));
            if (route.Target == "throw") throw new InvalidOperationException("handler failure on purpose");
        }));
        await using var container = services.BuildServiceProvider();
        var endpoint = container.GetRequiredKeyedService<MessageEndpoint>("chat");
        Assert.Same(clock, endpoint.TimeProvider);

        // One message at once, then one every 1000 s: only the container's clock, moved by the test, refills it in time.
        var limits = new EndpointOptions { MessageRate = new RateLimit(perSecond: 0.001, burst: 1) };
        await using var server = new TestServer(null, s => s.Map("/chat", endpoint, limits));
        using var client = await server.ConnectAsync("/chat");
        await client.SendTextAsync("""{"type":"test.route","data":{"target":"throw","name":null,"seq":1}}""");
        Assert.Contains("\"seq\":1", await client.ReceiveTextAsync(), StringComparison.Ordinal);
        await Eventually.TrueAsync(() => logs.Events.Any(e => e.Id.Id == 201), "the handler's failure logged (event 201)");

        clock.Advance(TimeSpan.FromSeconds(1000));
        await client.SendTextAsync("""{"type":"test.route","data":{"target":"ok","name":null,"seq":2}}""");
        Assert.Contains("\"seq\":2", await client.ReceiveTextAsync(), StringComparison.Ordinal);

        // Without the clock moving, the next one is over the limit.
        await client.SendTextAsync("""{"type":"test.route","data":{"target":"ok","name":null,"seq":3}}""");
        var buffer = new byte[256];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var result = await client.ReceiveAsync(buffer, timeout.Token);
        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal((WebSocketCloseStatus)1013, client.CloseStatus);
    }

    [Fact]
    public async Task A_mapping_that_names_no_clock_takes_the_endpoints_and_one_that_names_a_clock_keeps_it()
    {
        var endpointClock = new ManualClock();
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog, null, endpointClock);
        var mappingClock = new ManualClock();
        var limits = new EndpointOptions { MessageRate = new RateLimit(perSecond: 1, burst: 1), TimeProvider = mappingClock };
        await using var server = new WebSocketServer();
        server.Map("/a", endpoint, limits);
        // Mapped again with the same options: the same limits, so no conflict.
        server.Map("/b", endpoint, limits);
        // Naming no clock, the mapping takes the endpoint's: another clock than the first mapping's, so other limits.
        var error = Assert.Throws<InvalidOperationException>(() => server.Map("/c", endpoint, new EndpointOptions { MessageRate = new RateLimit(perSecond: 1, burst: 1) }));
        Assert.Contains("other rate limits", error.Message, StringComparison.Ordinal);
    }

    private static Task<Note> NextAsync(Channel<Note> channel) => channel.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
}
