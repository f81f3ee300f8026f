using System.Net;
using System.Net.Sockets;
using Switchboard.Client;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>
/// Refusals are final and carry their reason (docs/protocol.md, "Reconnecting"): a real server on 127.0.0.1:0 refuses
/// with 401 (its authentication hook), 403 (its origin rule), 404 (no endpoint) or a 1008 close after the open (a name
/// already taken); the client ends closed with the status and the server's reason, and the server sees one attempt.
/// </summary>
public sealed class ClientRefusalTests : IAsyncLifetime
{
    private const string Taken = "the name 'alice' is taken";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private readonly MessageEndpoint _locked = new(SwitchboardMessages.Catalog);
    private readonly MessageEndpoint _taken = new(SwitchboardMessages.Catalog);
    private readonly MessageEndpoint _listed = new(SwitchboardMessages.Catalog);
    private TestServer _server = null!;
    private int _authentications;
    private int _joins;
    private volatile bool _admit;

    public Task InitializeAsync()
    {
        _taken.OnConnected(async context =>
        {
            Interlocked.Increment(ref _joins);
            await context.CloseAsync(CloseCode.PolicyViolation, Taken);
        });
        _server = new TestServer(null, server => server
            .Map("/locked", _locked, new EndpointOptions { Authenticate = AuthenticateAsync })
            .Map("/taken", _taken)
            .Map("/listed", _listed, new EndpointOptions { AllowedOrigins = ["https://app.example"] }));
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _server.DisposeAsync().AsTask();

    private ValueTask<AuthenticationResult> AuthenticateAsync(ConnectRequest request)
    {
        Interlocked.Increment(ref _authentications);
        return ValueTask.FromResult(_admit ? AuthenticationResult.Success("alice") : AuthenticationResult.Fail("token expired"));
    }

    private static SwitchboardClient Client(Uri uri, SwitchboardTransport transport, string? origin = null) => new(uri, SwitchboardMessages.Catalog,
        new SwitchboardClientOptions
        {
            Transport = transport,
            Connection = new WebSocketClientOptions { Origin = origin, ConnectTimeout = TimeSpan.FromSeconds(5) },
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(10),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(20),
        });

    [Theory]
    [InlineData(SwitchboardTransport.WebSocket)]
    [InlineData(SwitchboardTransport.LongPolling)]
    [InlineData(SwitchboardTransport.Auto)]
    public async Task A_401_ends_the_first_connect_with_the_status_and_reason_after_one_attempt(SwitchboardTransport transport)
    {
        await using var client = Client(_server.Uri("/locked"), transport);
        var refused = await Assert.ThrowsAsync<SwitchboardConnectionException>(() => client.ConnectAsync().WaitAsync(Bound));

        Assert.Equal(SwitchboardConnectionErrorKind.Refused, refused.Kind);
        Assert.True(refused.IsFinal);
        Assert.Equal(401, refused.StatusCode);
        Assert.Equal("token expired", refused.Reason);
        Assert.Equal(ConnectionState.Closed, client.State);
        // One opening request in all: no retry, and Auto did not try long polling after the refused upgrade.
        Assert.Equal(1, Volatile.Read(ref _authentications));
        Assert.Null(client.Transport);
        Assert.Equal(0, _server.Server.LongPollingSessionCount);
    }

    [Theory]
    [InlineData("/listed", "https://evil.example", SwitchboardConnectionErrorKind.Refused, 403, "origin not allowed")]
    [InlineData("/nowhere", null, SwitchboardConnectionErrorKind.NotFound, 404, "no WebSocket endpoint at this path")]
    public async Task A_403_or_404_on_the_upgrade_is_final_and_Auto_does_not_fall_back(string path, string? origin,
        SwitchboardConnectionErrorKind kind, int status, string reason)
    {
        await using var front = new TcpFront(_server.Server.LocalEndPoint.Port, refuseWebSocket: false);
        await using var client = Client(front.Uri(path), SwitchboardTransport.Auto, origin);
        var refused = await Assert.ThrowsAsync<SwitchboardConnectionException>(() => client.ConnectAsync().WaitAsync(Bound));

        Assert.Equal(kind, refused.Kind);
        Assert.Equal(status, refused.StatusCode);
        Assert.Equal(reason, refused.Reason);
        Assert.Contains(reason, refused.Message, StringComparison.Ordinal);
        Assert.Equal(1, front.Upgrades);
        Assert.Equal(0, _server.Server.LongPollingSessionCount);
    }

    [Theory]
    [InlineData(SwitchboardTransport.WebSocket)]
    [InlineData(SwitchboardTransport.LongPolling)]
    public async Task A_1008_close_after_the_open_ends_the_client_with_the_reason_and_no_reconnect(SwitchboardTransport transport)
    {
        await using var client = Client(_server.Uri("/taken"), transport);
        var closed = new TaskCompletionSource<ConnectionStateChangedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reconnecting = 0;
        client.StateChanged += (_, e) =>
        {
            if (e.Current == ConnectionState.Reconnecting) Interlocked.Increment(ref reconnecting);
            if (e.Current == ConnectionState.Closed) closed.TrySetResult(e);
        };
        await client.ConnectAsync().WaitAsync(Bound);
        var end = await closed.Task.WaitAsync(Bound);

        Assert.Equal(CloseCode.PolicyViolation, end.CloseStatus);
        Assert.Equal(Taken, end.CloseReason);
        var refusal = Assert.IsType<SwitchboardConnectionException>(end.Error);
        Assert.Equal(SwitchboardConnectionErrorKind.Refused, refusal.Kind);
        Assert.Equal(CloseCode.PolicyViolation, refusal.CloseStatus);
        Assert.Equal(Taken, refusal.Reason);
        // Closed is the end: the reconnect loop has returned, so the one join is all there will be.
        Assert.Equal(ConnectionState.Closed, client.State);
        Assert.Equal(0, Volatile.Read(ref reconnecting));
        Assert.Equal(1, Volatile.Read(ref _joins));
    }

    [Fact]
    public async Task A_401_on_a_reconnect_ends_the_client_instead_of_retrying()
    {
        _admit = true;
        await using var front = new TcpFront(_server.Server.LocalEndPoint.Port, refuseWebSocket: false);
        await using var client = Client(front.Uri("/locked"), SwitchboardTransport.WebSocket);
        var reconnecting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var closed = new TaskCompletionSource<ConnectionStateChangedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.StateChanged += (_, e) =>
        {
            if (e.Current == ConnectionState.Reconnecting) reconnecting.TrySetResult();
            if (e.Current == ConnectionState.Closed) closed.TrySetResult(e);
        };
        await client.ConnectAsync().WaitAsync(Bound);

        // The credentials expire while connected; the connection is lost and the reconnect is refused.
        _admit = false;
        front.DropConnections();
        await reconnecting.Task.WaitAsync(Bound);
        var end = await closed.Task.WaitAsync(Bound);

        var refusal = Assert.IsType<SwitchboardConnectionException>(end.Error);
        Assert.Equal(SwitchboardConnectionErrorKind.Refused, refusal.Kind);
        Assert.Equal(401, refusal.StatusCode);
        Assert.Equal("token expired", refusal.Reason);
        Assert.Equal(2, Volatile.Read(ref _authentications));
        Assert.Equal(2, front.Upgrades);
    }

    [Fact]
    public async Task First_connect_attempts_are_bounded_by_MaxConnectAttempts()
    {
        // A server that takes connections and drops them before answering the upgrade: a failed handshake, worth retrying.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepted = 0;
        using var stop = new CancellationTokenSource();
        var dropping = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var socket = await listener.AcceptSocketAsync(stop.Token);
                Interlocked.Increment(ref accepted);
            }
        });
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var client = new SwitchboardClient(new Uri($"ws://127.0.0.1:{port}/ws"), SwitchboardMessages.Catalog, new SwitchboardClientOptions
        {
            Transport = SwitchboardTransport.WebSocket,
            MaxConnectAttempts = 2,
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(10),
        });
        var retried = 0;
        client.StateChanged += (_, e) =>
        {
            if (e.Previous == ConnectionState.Connecting && e.Current == ConnectionState.Connecting) Interlocked.Increment(ref retried);
        };

        var failed = await Assert.ThrowsAsync<SwitchboardConnectionException>(() => client.ConnectAsync().WaitAsync(Bound));
        Assert.Equal(SwitchboardConnectionErrorKind.HandshakeFailed, failed.Kind);
        Assert.False(failed.IsFinal);
        Assert.Equal(1, Volatile.Read(ref retried));
        Assert.Equal(2, Volatile.Read(ref accepted));
        Assert.Equal(ConnectionState.Closed, client.State);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dropping);
    }
}
