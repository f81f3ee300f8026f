using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Client;
using Xunit;

namespace Switchboard.Server.Tests.DependencyInjection;

/// <summary>
/// Handlers and hooks of a typed endpoint with <see cref="MessageEndpoint.Services"/> set: each call runs in a scope of
/// its own, disposed once the call has completed; without services, <see cref="MessageContext.Services"/> resolves
/// nothing and says why. Real server on 127.0.0.1, the typed .NET client.
/// </summary>
public sealed class HandlerScopeTests
{
    [Theory]
    [InlineData(SwitchboardTransport.WebSocket)]
    [InlineData(SwitchboardTransport.LongPolling)]
    public async Task A_scoped_service_is_new_per_message_and_disposed_once_the_handler_completes_even_when_it_throws(SwitchboardTransport transport)
    {
        var log = new ScopeLog();
        await using var container = log.Container();
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog) { Services = container }
            .On<Route>(async (context, route) =>
            {
                var tracked = context.Services.GetRequiredService<Tracked>();
                // The scope outlives the handler's awaits: after one, the same instance, not yet disposed.
                await Task.Yield();
                var same = ReferenceEquals(tracked, context.Services.GetRequiredService<Tracked>());
                log.Add($"handled {route.Seq} with {tracked.Id}, same {same}, disposed {tracked.IsDisposed}");
                await context.SendAsync(new Note(tracked.Id.ToString(CultureInfo.InvariantCulture), route.Seq));
                if (route.Target == "throw") throw new InvalidOperationException("handler failure on purpose");
            });
        await using var server = new TestServer(null, ("/typed", endpoint));
        var notes = Channel.CreateUnbounded<Note>();
        await using var client = new SwitchboardClient(server.Uri("/typed"), SwitchboardMessages.Catalog, new SwitchboardClientOptions { Transport = transport });
        client.On<Note>(note => notes.Writer.TryWrite(note));
        await client.ConnectAsync();

        var ids = new List<int>();
        foreach (var (target, seq) in new[] { ("ok", 1), ("throw", 2), ("ok", 3) })
        {
            await client.SendAsync(new Route(target, null, seq));
            var note = await notes.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(seq, note.Seq);
            var id = int.Parse(note.From, CultureInfo.InvariantCulture);
            await log.DisposedAfterAsync($"handled {seq} with {id}, same True, disposed False", id);
            ids.Add(id);
        }
        Assert.Equal(3, ids.Distinct().Count());
    }

    [Fact]
    public async Task A_disconnected_hook_that_runs_while_a_handler_waits_gets_its_own_scope_and_leaves_the_handlers_alone()
    {
        var log = new ScopeLog();
        await using var container = log.Container();
        var started = new TaskCompletionSource<Tracked>(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog) { Services = container }
            .On<Route>(async (context, _) =>
            {
                var tracked = context.Services.GetRequiredService<Tracked>();
                started.TrySetResult(tracked);
                await release.Task;
                var after = context.Services.GetRequiredService<Tracked>();
                log.Add($"handler with {tracked.Id}, after the hook with {after.Id}, disposed {tracked.IsDisposed}");
            })
            .OnDisconnected((context, _) =>
            {
                log.Add($"disconnected with {context.Services.GetRequiredService<Tracked>().Id}");
                return ValueTask.CompletedTask;
            });
        await using var server = new TestServer(null, ("/lp", endpoint));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var url = $"http://127.0.0.1:{server.Server.LocalEndPoint.Port}/lp";

        // A long-polling session whose send is held in its handler while the client deletes the session: the
        // disconnected hook runs on the DELETE, in the middle of the handler's call.
        string session;
        using (var opened = await http.PostAsync(new Uri(url + "?transport=longpolling"), null))
        {
            using var json = System.Text.Json.JsonDocument.Parse(await opened.Content.ReadAsStringAsync());
            session = json.RootElement.GetProperty("session").GetString()!;
        }
        using var body = new StringContent("""[{"type":"test.route","data":{"target":"r","name":null,"seq":1}}]""", System.Text.Encoding.UTF8, "application/json");
        var sending = http.PostAsync(new Uri($"{url}?session={session}&seq=1"), body);
        Tracked handlers;
        try
        {
            handlers = await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
            using (var deleted = await http.DeleteAsync(new Uri($"{url}?session={session}")))
                Assert.Equal(System.Net.HttpStatusCode.NoContent, deleted.StatusCode);
            var hook = await log.FirstAsync("disconnected with ");
            var hooks = int.Parse(hook["disconnected with ".Length..], CultureInfo.InvariantCulture);
            Assert.NotEqual(handlers.Id, hooks);
            await log.DisposedAfterAsync(hook, hooks);
            Assert.False(handlers.IsDisposed);
        }
        finally
        {
            release.TrySetResult(); // a failure above must not leave the handler holding the server's shutdown
        }
        using (var sent = await sending) Assert.Equal(System.Net.HttpStatusCode.NoContent, sent.StatusCode);
        var handler = await log.FirstAsync("handler with ");
        Assert.Equal($"handler with {handlers.Id}, after the hook with {handlers.Id}, disposed False", handler);
        await log.DisposedAfterAsync(handler, handlers.Id);
    }

    [Fact]
    public async Task A_singleton_is_the_containers_own_in_every_call_of_every_connection()
    {
        var log = new ScopeLog();
        await using var container = log.Container();
        var seen = new ConcurrentQueue<SharedService>();
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog) { Services = container }
            .On<Route>((context, route) =>
            {
                seen.Enqueue(context.Services.GetRequiredService<SharedService>());
                return context.SendAsync(new Note("shared", route.Seq));
            });
        await using var server = new TestServer(null, ("/typed", endpoint));
        var notes = Channel.CreateUnbounded<Note>();
        await using var first = new SwitchboardClient(server.Uri("/typed"), SwitchboardMessages.Catalog);
        await using var second = new SwitchboardClient(server.Uri("/typed"), SwitchboardMessages.Catalog);
        foreach (var client in new[] { first, second })
        {
            client.On<Note>(note => notes.Writer.TryWrite(note));
            await client.ConnectAsync();
            for (var seq = 0; seq < 2; seq++)
            {
                await client.SendAsync(new Route("r", null, seq));
                await notes.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }

        Assert.Equal(4, seen.Count);
        Assert.All(seen, s => Assert.Same(container.GetRequiredService<SharedService>(), s));
    }

    [Fact]
    public async Task Every_hook_call_gets_a_scope_of_its_own_disposed_after_it()
    {
        var log = new ScopeLog();
        await using var container = log.Container();
        var used = new ConcurrentDictionary<string, int>();

        ValueTask Use(MessageContext context, string call)
        {
            var tracked = context.Services.GetRequiredService<Tracked>();
            used[call] = tracked.Id;
            log.Add($"{call} with {tracked.Id}, disposed {tracked.IsDisposed}");
            return ValueTask.CompletedTask;
        }

        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog) { Services = container }
            .OnConnected(context => Use(context, "connected"))
            .OnUnhandled((context, type, _) => Use(context, "unhandled " + type))
            .On<Route>(async (context, route) =>
            {
                await Use(context, "route");
                await context.SendAsync(new Note("handled", route.Seq));
            })
            .OnDisconnected((context, _) => Use(context, "disconnected"));
        await using var server = new TestServer(null, ("/typed", endpoint));
        var notes = Channel.CreateUnbounded<Note>();
        await using (var client = new SwitchboardClient(server.Uri("/typed"), SwitchboardMessages.Catalog))
        {
            client.On<Note>(note => notes.Writer.TryWrite(note));
            await client.ConnectAsync();
            await client.SendAsync(new Note("no handler", 1)); // in the catalogue, but the endpoint has no handler for it
            await client.SendAsync(new Route("r", null, 2));
            await notes.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            await client.CloseAsync();
        }

        string[] calls = ["connected", "unhandled test.note", "route", "disconnected"];
        foreach (var call in calls)
        {
            var entry = await log.FirstAsync($"{call} with ");
            Assert.Equal($"{call} with {used[call]}, disposed False", entry);
            await log.DisposedAfterAsync(entry, used[call]);
        }
        Assert.Equal(calls.Length, used.Values.Distinct().Count());
    }

    [Fact]
    public async Task Without_services_the_context_resolves_nothing_and_a_required_service_names_why()
    {
        var answers = Channel.CreateUnbounded<string>();
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog)
            .On<Route>((context, route) =>
            {
                answers.Writer.TryWrite($"optional {context.Services.GetService<Tracked>()?.Id.ToString(CultureInfo.InvariantCulture) ?? "null"}");
                try
                {
                    context.Services.GetRequiredService<Tracked>();
                    answers.Writer.TryWrite("required resolved");
                }
                catch (InvalidOperationException e)
                {
                    answers.Writer.TryWrite(e.Message);
                }
                return ValueTask.CompletedTask;
            });
        Assert.Null(endpoint.Services);
        await using var server = new TestServer(null, ("/typed", endpoint));
        await using var client = new SwitchboardClient(server.Uri("/typed"), SwitchboardMessages.Catalog);
        await client.ConnectAsync();
        await client.SendAsync(new Route("r", null, 1));

        Assert.Equal("optional null", await NextAsync(answers));
        var error = await NextAsync(answers);
        Assert.Contains(typeof(Tracked).FullName!, error, StringComparison.Ordinal);
        Assert.Contains("the endpoint has no services", error, StringComparison.Ordinal);
        Assert.Contains("MessageEndpoint.Services", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outside_its_handler_call_a_context_resolves_nothing_and_the_scope_is_gone()
    {
        var log = new ScopeLog();
        await using var container = log.Container();
        var handled = new TaskCompletionSource<(MessageContext Context, Tracked Tracked)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog) { Services = container }
            .On<Route>((context, _) =>
            {
                handled.TrySetResult((context, context.Services.GetRequiredService<Tracked>()));
                return ValueTask.CompletedTask;
            });
        await using var server = new TestServer(null, ("/typed", endpoint));
        await using var client = new SwitchboardClient(server.Uri("/typed"), SwitchboardMessages.Catalog);
        await client.ConnectAsync();
        await client.SendAsync(new Route("r", null, 1));
        var (context, tracked) = await handled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await log.UntilAsync($"disposed {tracked.Id}");

        Assert.Same(container, endpoint.Services);
        Assert.Null(context.Services.GetService<Tracked>());
        var error = Assert.Throws<InvalidOperationException>(() => context.Services.GetRequiredService<Tracked>());
        Assert.Contains("only during a handler call of its own connection", error.Message, StringComparison.Ordinal);
        var keyed = Assert.Throws<InvalidOperationException>(() => context.Services.GetRequiredKeyedService<Tracked>("k"));
        Assert.Contains("with key 'k'", keyed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Services_are_set_before_the_first_connection_from_a_provider_that_makes_scopes()
    {
        var log = new ScopeLog();
        await using var container = log.Container();
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog);
        var noScopes = Assert.Throws<ArgumentException>(() => endpoint.Services = new ProviderWithoutScopes());
        Assert.Equal("value", noScopes.ParamName);
        Assert.Contains("IServiceScopeFactory", noScopes.Message, StringComparison.Ordinal);
        Assert.Null(endpoint.Services);

        endpoint.Services = container;
        endpoint.Services = null; // before any connection, it may change
        await using var server = new TestServer(null, ("/typed", endpoint));
        await using var client = new SwitchboardClient(server.Uri("/typed"), SwitchboardMessages.Catalog);
        await client.ConnectAsync();
        await server.WaitForConnectionCountAsync(1);

        var late = Assert.Throws<InvalidOperationException>(() => endpoint.Services = container);
        Assert.Contains("before the server starts", late.Message, StringComparison.Ordinal);
        Assert.Null(endpoint.Services);
    }

    private static Task<string> NextAsync(Channel<string> channel) => channel.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    /// <summary>A provider of nothing at all, not even scopes.</summary>
    private sealed class ProviderWithoutScopes : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }
}
