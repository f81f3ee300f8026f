using Switchboard.Protocol;
using Switchboard.Server.Messaging;

namespace Chat;

/// <summary>
/// The room: unique user names, a roster, broadcast and direct messages, and the last messages replayed to each
/// newcomer. Thread-safe: room changes are serialized so every member sees the same order.
/// </summary>
public sealed class ChatRoom : IDisposable
{
    /// <summary>The longest message text, in UTF-16 code units.</summary>
    public const int MaxTextLength = 2000;

    /// <summary>How many recent messages a newcomer is shown.</summary>
    public const int HistorySize = 50;

    /// <summary>The longest user name.</summary>
    public const int MaxNameLength = 32;

    private const string Room = "room";

    private readonly TimeProvider _time;
    // Serialized once: the replay to each newcomer shares these bytes (no copy per joiner or per long-polling session).
    private readonly Queue<PreparedMessage> _history = new();
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Creates the room and its endpoint.</summary>
    public ChatRoom(MessageEndpoint endpoint, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        _time = time ?? TimeProvider.System;
        Endpoint = endpoint
            .OnConnected(JoinAsync)
            .OnDisconnected(LeaveAsync)
            .On<SendChat>(SendAsync)
            .On<DirectMessage>(DirectAsync);
    }

    /// <summary>The typed endpoint to map at <c>/ws/{username}</c>.</summary>
    public MessageEndpoint Endpoint { get; }

    /// <summary>A name is 1-32 ASCII letters, digits, '_' or '-'.</summary>
    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= MaxNameLength && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    private async ValueTask JoinAsync(MessageContext context)
    {
        var name = context.RouteValues.GetValueOrDefault("username") ?? "";
        if (!IsValidName(name))
        {
            await RefuseAsync(context, $"'{name}' is not a valid name: use 1-{MaxNameLength} letters, digits, '_' or '-'");
            return;
        }

        await _gate.WaitAsync();
        try
        {
            if (!context.TrySetUniqueUser(name))
            {
                await RefuseAsync(context, $"the name '{name}' is taken");
                return;
            }
            context.JoinGroup(Room);
            await context.SendAsync(new Roster(MemberNames()));
            foreach (var message in _history) await context.SendAsync(message);
            await context.Others.SendAsync(new UserJoined(name));
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask LeaveAsync(MessageContext context, CloseCode? status)
    {
        // Only members were ever announced; a refused connection leaves silently.
        if (context.User is not { } name || !context.Groups.Contains(Room)) return;
        await _gate.WaitAsync();
        try
        {
            await Endpoint.Group(Room).SendAsync(new UserLeft(name));
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask SendAsync(MessageContext context, SendChat request)
    {
        if (context.User is not { } sender) return;
        if (Validate(request.Text) is { } problem)
        {
            await context.SendAsync(new ChatError(problem));
            return;
        }

        await _gate.WaitAsync();
        try
        {
            var message = PreparedMessage.Create(new ChatMessage(sender, request.Text, _time.GetUtcNow()));
            _history.Enqueue(message);
            if (_history.Count > HistorySize) _history.Dequeue();
            await Endpoint.Group(Room).SendAsync(message);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask DirectAsync(MessageContext context, DirectMessage request)
    {
        if (context.User is not { } sender) return;
        if (Validate(request.Text) is { } problem)
        {
            await context.SendAsync(new ChatError(problem));
            return;
        }
        if (!Endpoint.IsConnected(request.To))
        {
            await context.SendAsync(new ChatError($"'{request.To}' is not online"));
            return;
        }

        var message = new DirectMessage(sender, request.To, request.Text, _time.GetUtcNow());
        await Endpoint.User(request.To).SendAsync(message);
        if (!string.Equals(request.To, sender, StringComparison.Ordinal)) await Endpoint.User(sender).SendAsync(message);
    }

    /// <inheritdoc/>
    public void Dispose() => _gate.Dispose();

    private string[] MemberNames() => [.. Endpoint.GroupMembers(Room).Select(c => c.User!).Order(StringComparer.Ordinal)];

    private static string? Validate(string text) => text switch
    {
        _ when string.IsNullOrWhiteSpace(text) => "a message cannot be empty",
        { Length: > MaxTextLength } => $"a message can be at most {MaxTextLength} characters",
        _ => null,
    };

    private static async ValueTask RefuseAsync(MessageContext context, string reason)
    {
        await context.SendAsync(new ChatError(reason));
        await context.CloseAsync(CloseCode.PolicyViolation, reason);
    }
}
