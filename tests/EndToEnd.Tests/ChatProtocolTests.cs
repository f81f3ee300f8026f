using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Chat;
using Switchboard.Client;

namespace Switchboard.EndToEnd.Tests;

/// <summary>The chat's rules, exercised with Switchboard's .NET client against the real sample process.</summary>
public sealed class ChatProtocolTests(ChatServerFixture server) : IClassFixture<ChatServerFixture>
{
    private static string Name(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..12];

    [Fact]
    public async Task Newcomer_gets_the_roster_then_the_last_50_messages_in_order()
    {
        // Other tests share the room, so look only at this test's own messages, which are the newest. The chat lets one
        // connection send 20 messages at once (its rate limit), so three talkers share the 55 lines, each waiting for
        // its line to come back before the next is sent.
        var talkers = new[] { await Member.JoinAsync(server, Name("talker")), await Member.JoinAsync(server, Name("talker")), await Member.JoinAsync(server, Name("talker")) };
        await using var a = talkers[0];
        await using var a1 = talkers[1];
        await using var a2 = talkers[2];
        var talker = a.Name;
        for (var i = 0; i < 55; i++)
        {
            var speaker = talkers[i / 19];
            await speaker.Client.SendAsync(new SendChat($"line {i}"));
            await speaker.NextAsync<ChatMessage>(m => m.Sender == speaker.Name && m.Text == $"line {i}");
        }

        await using var b = await Member.JoinAsync(server, Name("late"));
        var replay = new List<string>();
        while (replay.Count < 50) replay.Add((await b.NextAsync<ChatMessage>(_ => true)).Text);
        Assert.Equal(Enumerable.Range(5, 50).Select(i => $"line {i}"), replay);
        Assert.Contains(b.Name, b.Roster!.Users);
        Assert.Contains(talker, b.Roster.Users);
    }

    [Fact]
    public async Task Older_history_loads_in_two_pages_in_order_without_duplicates()
    {
        // 30 lines from two talkers (the rate limit lets one connection send 20 at once), each waited for before the next.
        await using var a = await Member.JoinAsync(server, Name("pager"));
        await using var b = await Member.JoinAsync(server, Name("pager"));
        var lines = Enumerable.Range(0, 30).Select(i => $"page line {i} of {a.Name}").ToList();
        for (var i = 0; i < lines.Count; i++)
        {
            var speaker = i < 15 ? a : b;
            await speaker.Client.SendAsync(new SendChat(lines[i]));
            await speaker.NextAsync<ChatMessage>(m => m.Sender == speaker.Name && m.Text == lines[i]);
        }

        // The newest page, then the one before it: together they reach back past this test's first line.
        var newest = await a.Client.RequestAsync(new HistoryRequest(null, 20));
        var older = await a.Client.RequestAsync(new HistoryRequest(newest.Entries[0].Offset, 20));
        Assert.Equal(20, newest.Entries.Count);
        Assert.Equal(20, older.Entries.Count);
        var offsets = older.Entries.Concat(newest.Entries).Select(e => e.Offset).ToList();
        Assert.Equal(offsets.Order(), offsets);
        Assert.Equal(offsets.Count, offsets.Distinct().Count());
        Assert.Equal(offsets[0] + offsets.Count - 1, offsets[^1]);
        Assert.Equal(lines, older.Entries.Concat(newest.Entries).Where(e => e.Type == "chat.message" && lines.Contains(e.Text!)).Select(e => e.Text));

        // A limit outside 1-100 is the room's typed error.
        var refused = await Assert.ThrowsAsync<RequestFailedException>(() => a.Client.RequestAsync(new HistoryRequest(null, 101)));
        Assert.Contains("limit", Assert.IsType<HistoryRefused>(refused.Error).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Terminal_client_loads_the_messages_before_its_join_replay_with_older()
    {
        // 60 lines from four talkers (each under the chat's burst of 20), each waited for before the next: a newcomer's
        // replay shows the last 50, so lines 0-9 are only in the room's history.
        var talkers = new List<Member>();
        for (var i = 0; i < 4; i++) talkers.Add(await Member.JoinAsync(server, Name("older")));
        var tag = talkers[0].Name;
        try
        {
            for (var i = 0; i < 60; i++)
            {
                var speaker = talkers[i / 15];
                await speaker.Client.SendAsync(new SendChat($"older line {i} {tag}"));
                await speaker.NextAsync<ChatMessage>(m => m.Sender == speaker.Name && m.Text == $"older line {i} {tag}");
            }

            using var terminal = ChatTerminal.Start(server.Chat.WebSocketUri("/").ToString().TrimEnd('/'), Name("reader"), "websocket");
            await terminal.WaitForAsync($": older line 59 {tag}");
            await terminal.WaitForAsync($": older line 10 {tag}");
            await terminal.TypeAsync("/older");
            await terminal.WaitForAsync($"(older) ");
            await terminal.WaitForAsync($": older line 9 {tag}");
            await terminal.WaitForAsync($": older line 0 {tag}");
            await terminal.TypeAsync("/quit");
            Assert.Equal(0, await terminal.WaitForExitAsync());
        }
        finally
        {
            foreach (var talker in talkers) await talker.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_spam_flood_is_cut_at_the_burst_with_1013_and_the_room_keeps_its_history()
    {
        await using var alice = await Member.JoinAsync(server, Name("alice"));
        await alice.Client.SendAsync(new SendChat("before the spam"));
        await alice.NextAsync<ChatMessage>(m => m.Sender == alice.Name && m.Text == "before the spam");

        // The attack: one client sends 100,000 chat.send as fast as its socket takes them.
        var spammer = Name("spammer");
        using var raw = new ClientWebSocket();
        using (var connecting = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            await raw.ConnectAsync(server.Chat.WebSocketUri("/ws/" + spammer), connecting.Token);
        var closed = 0;
        var flood = Task.Run(async () =>
        {
            var spam = Encoding.UTF8.GetBytes("""{"type":"chat.send","data":{"text":"spam"}}""");
            try
            {
                for (var i = 0; i < 100_000 && Volatile.Read(ref closed) == 0; i++)
                    await raw.SendAsync(spam, WebSocketMessageType.Text, true, CancellationToken.None);
            }
            catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
            {
                // Dropped by the server after its close: the rest has nowhere to go.
            }
        });
        var buffer = new byte[16 * 1024];
        using (var reading = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while ((await raw.ReceiveAsync(buffer, reading.Token)).MessageType != WebSocketMessageType.Close)
            {
            }
        }
        Volatile.Write(ref closed, 1);
        await flood;
        Assert.Equal((WebSocketCloseStatus)1013, raw.CloseStatus);
        Assert.StartsWith("message rate limit", raw.CloseStatusDescription, StringComparison.Ordinal);

        // Everything the spammer got through has reached alice once this marker has; it is the burst, and alice is still in.
        await alice.Client.SendAsync(new SendChat("after the spam"));
        await alice.NextAsync<ChatMessage>(m => m.Sender == alice.Name && m.Text == "after the spam");
        int spamSeen;
        lock (alice.Seen) spamSeen = alice.Seen.OfType<ChatMessage>().Count(m => m.Sender == spammer);
        Assert.InRange(spamSeen, 20, 30);
        Assert.Equal(ConnectionState.Connected, alice.Client.State);

        // A newcomer's replay of the last 50 still holds the room's own messages.
        await using var late = await Member.JoinAsync(server, Name("late"));
        await late.NextAsync<ChatMessage>(m => m.Sender == alice.Name && m.Text == "before the spam");
    }

    [Fact]
    public async Task Direct_message_reaches_only_the_recipient_and_the_sender()
    {
        await using var alice = await Member.JoinAsync(server, Name("alice"));
        await using var bob = await Member.JoinAsync(server, Name("bob"));
        await using var eve = await Member.JoinAsync(server, Name("eve"));

        await alice.Client.SendAsync(new DirectMessage(null, bob.Name, "for bob only", null));
        var received = await bob.NextAsync<DirectMessage>(_ => true);
        Assert.Equal((alice.Name, bob.Name, "for bob only"), (received.From, received.To, received.Text));
        Assert.Equal("for bob only", (await alice.NextAsync<DirectMessage>(_ => true)).Text);

        // A room message sent after it arrives at eve; the direct message never did.
        await alice.Client.SendAsync(new SendChat("marker"));
        await eve.NextAsync<ChatMessage>(m => m.Text == "marker" && m.Sender == alice.Name);
        Assert.DoesNotContain(eve.Seen, m => m is DirectMessage);
    }

    [Fact]
    public async Task Direct_message_to_someone_offline_is_an_error()
    {
        await using var alice = await Member.JoinAsync(server, Name("alice"));
        await alice.Client.SendAsync(new DirectMessage(null, "nobody-here", "hello?", null));
        Assert.Contains("not online", (await alice.NextAsync<ChatError>(_ => true)).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_and_duplicate_names_get_an_error_and_a_policy_close()
    {
        foreach (var name in new[] { "bad name!", "<b>", new string('x', 33) })
        {
            await using var refused = await Member.ConnectAsync(server, name);
            Assert.Contains("not a valid name", (await refused.NextAsync<ChatError>(_ => true)).Reason, StringComparison.Ordinal);
            Assert.Equal(CloseCode.PolicyViolation, await refused.Closed.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        }

        // No name at all matches no endpoint: the upgrade itself is refused.
        var error = await Assert.ThrowsAsync<SwitchboardConnectionException>(() => Member.ConnectAsync(server, ""));
        Assert.Equal(SwitchboardConnectionErrorKind.NotFound, error.Kind);
        Assert.Equal(404, error.StatusCode);

        await using var first = await Member.JoinAsync(server, Name("taken"));
        await using var second = await Member.ConnectAsync(server, first.Name);
        Assert.Contains("taken", (await second.NextAsync<ChatError>(_ => true)).Reason, StringComparison.Ordinal);
        Assert.Equal(CloseCode.PolicyViolation, await second.Closed.Task.WaitAsync(TimeSpan.FromSeconds(10)));

        // The original holder is untouched.
        await first.Client.SendAsync(new SendChat("mine"));
        await first.NextAsync<ChatMessage>(m => m.Text == "mine");
    }

    [Fact]
    public async Task Names_are_unique_ignoring_case_and_shown_as_chosen()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        await using var owner = await Member.JoinAsync(server, "takenname" + suffix);

        foreach (var other in new[] { "TakenName" + suffix, "TAKENNAME" + suffix.ToUpperInvariant() })
        {
            await using var refused = await Member.ConnectAsync(server, other);
            Assert.Contains("taken", (await refused.NextAsync<ChatError>(_ => true)).Reason, StringComparison.Ordinal);
            Assert.Equal(CloseCode.PolicyViolation, await refused.Closed.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        }

        // Everyone sees each name as its owner typed it.
        var mixed = "MiXed" + suffix;
        await using var shown = await Member.JoinAsync(server, mixed);
        Assert.Contains(mixed, shown.Roster!.Users);
        Assert.Contains(owner.Name, shown.Roster.Users);
        Assert.DoesNotContain(shown.Roster.Users, u => string.Equals(u, mixed, StringComparison.OrdinalIgnoreCase) && u != mixed);
        Assert.Equal(mixed, (await owner.NextAsync<UserJoined>(m => m.User.EndsWith(suffix, StringComparison.Ordinal) && m.User != owner.Name)).User);
        await shown.Client.SendAsync(new SendChat("as typed"));
        Assert.Equal(mixed, (await owner.NextAsync<ChatMessage>(m => m.Text == "as typed")).Sender);
    }

    [Fact]
    public async Task Names_outside_ascii_are_refused_so_one_name_has_one_spelling()
    {
        // "Café" precomposed and decomposed look alike; ASCII-only names have a single Unicode form.
        foreach (var name in new[] { "Caf\u00e9", "Cafe\u0301", "\u212Aelvin" })
        {
            await using var refused = await Member.ConnectAsync(server, name);
            Assert.Contains("not a valid name", (await refused.NextAsync<ChatError>(_ => true)).Reason, StringComparison.Ordinal);
            Assert.Equal(CloseCode.PolicyViolation, await refused.Closed.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        }
    }

    [Fact]
    public async Task Direct_message_to_a_name_in_another_case_reaches_its_owner_as_they_spell_it()
    {
        await using var alice = await Member.JoinAsync(server, Name("alice"));
        await using var bob = await Member.JoinAsync(server, Name("bob"));

        await alice.Client.SendAsync(new DirectMessage(null, bob.Name.ToUpperInvariant(), "any case", null));
        var received = await bob.NextAsync<DirectMessage>(_ => true);
        Assert.Equal((alice.Name, bob.Name, "any case"), (received.From, received.To, received.Text));
        Assert.Equal(bob.Name, (await alice.NextAsync<DirectMessage>(_ => true)).To);

        // To oneself in another case: one copy, not two.
        await alice.Client.SendAsync(new DirectMessage(null, alice.Name.ToUpperInvariant(), "note to self", null));
        await alice.Client.SendAsync(new DirectMessage(null, bob.Name, "fence", null));
        await alice.NextAsync<DirectMessage>(m => m.Text == "fence");
        lock (alice.Seen) Assert.Single(alice.Seen, m => m is DirectMessage { Text: "note to self" });
    }

    public static TheoryData<string, string> RefusedTexts => new()
    {
        { "nul \0 byte", "U+0000" },
        { "bell \u0007", "U+0007" },
        { "colour \u001b[31mred", "U+001B" },
        { "carriage\rreturn", "U+000D" },
        { "delete \u007f", "U+007F" },
        { "next line \u0085", "U+0085" },
        { "order \u202Egnp.exe", "U+202E" },
        { "left \u202Aembedded", "U+202A" },
        { "pop \u202C", "U+202C" },
        { "isolate \u2067rtl\u2069", "U+2067" },
        { "first strong \u2068", "U+2068" },
    };

    [Theory]
    [MemberData(nameof(RefusedTexts))]
    public async Task Text_with_control_or_bidi_override_characters_is_refused_and_never_delivered(string text, string named)
    {
        await using var alice = await Member.JoinAsync(server, Name("alice"));
        await using var bob = await Member.JoinAsync(server, Name("bob"));

        await alice.Client.SendAsync(new SendChat(text));
        Assert.Contains(named, (await alice.NextAsync<ChatError>(_ => true)).Reason, StringComparison.Ordinal);
        await alice.Client.SendAsync(new DirectMessage(null, bob.Name, text, null));
        Assert.Contains(named, (await alice.NextAsync<ChatError>(_ => true)).Reason, StringComparison.Ordinal);

        // A message sent after them arrives; the refused ones never did, to anyone.
        await alice.Client.SendAsync(new SendChat("after " + alice.Name));
        await bob.NextAsync<ChatMessage>(m => m.Text == "after " + alice.Name);
        await alice.NextAsync<ChatMessage>(m => m.Text == "after " + alice.Name);
        foreach (var member in new[] { alice, bob })
        {
            lock (member.Seen)
            {
                Assert.DoesNotContain(member.Seen, m => m is ChatMessage { Text: var t } && t == text);
                Assert.DoesNotContain(member.Seen, m => m is DirectMessage);
            }
        }
    }

    [Fact]
    public async Task Newlines_tabs_and_direction_marks_are_allowed()
    {
        await using var alice = await Member.JoinAsync(server, Name("alice"));
        foreach (var text in new[] { "two\nlines\tand a tab", "\u05E9\u05DC\u05D5\u05DD\u200E (hello)\u200F", "\u0627\u061C123" })
        {
            await alice.Client.SendAsync(new SendChat(text));
            Assert.Equal(text, (await alice.NextAsync<ChatMessage>(m => m.Sender == alice.Name)).Text);
        }
    }

    [Fact]
    public async Task Refusals_echo_at_most_a_short_excerpt_of_a_bad_name()
    {
        await using var alice = await Member.JoinAsync(server, Name("alice"));
        var huge = new string('x', 20_000);
        foreach (var to in new[] { huge, "x\u202Eevil", "", "bad name!" })
        {
            await alice.Client.SendAsync(new DirectMessage(null, to, "hello?", null));
            var reason = (await alice.NextAsync<ChatError>(_ => true)).Reason;
            Assert.Contains("not a valid name", reason, StringComparison.Ordinal);
            Assert.True(reason.Length <= 160, $"{reason.Length} characters: {reason[..Math.Min(reason.Length, 200)]}");
            Assert.DoesNotContain('\u202E', reason);
        }

        await using var refused = await Member.ConnectAsync(server, new string('y', 2_000));
        var joinReason = (await refused.NextAsync<ChatError>(_ => true)).Reason;
        Assert.Contains("not a valid name", joinReason, StringComparison.Ordinal);
        Assert.True(joinReason.Length <= 160, $"{joinReason.Length} characters");
        Assert.Equal(CloseCode.PolicyViolation, await refused.Closed.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Oversized_and_empty_messages_are_refused_and_the_connection_lives_on()
    {
        await using var alice = await Member.JoinAsync(server, Name("alice"));
        await alice.Client.SendAsync(new SendChat(new string('a', ChatRoom.MaxTextLength + 1)));
        Assert.Contains("at most 2000", (await alice.NextAsync<ChatError>(_ => true)).Reason, StringComparison.Ordinal);
        await alice.Client.SendAsync(new SendChat("   "));
        Assert.Contains("empty", (await alice.NextAsync<ChatError>(_ => true)).Reason, StringComparison.Ordinal);

        await alice.Client.SendAsync(new SendChat(new string('a', ChatRoom.MaxTextLength)));
        await alice.NextAsync<ChatMessage>(m => m.Sender == alice.Name && m.Text.Length == ChatRoom.MaxTextLength);
    }

    [Fact]
    public async Task A_vanished_socket_leaves_the_roster_and_never_breaks_delivery_to_others()
    {
        await using var alice = await Member.JoinAsync(server, Name("alice"));
        var ghost = Name("ghost");
        using (var raw = new TcpClient())
        {
            await raw.ConnectAsync("127.0.0.1", server.Chat.Port);
            var stream = raw.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(
                $"GET /ws/{ghost} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"));
            await alice.NextAsync<UserJoined>(m => m.User == ghost);
            raw.Client.LingerState = new LingerOption(true, 0); // vanish with a reset, no close frame
        }

        await alice.NextAsync<UserLeft>(m => m.User == ghost);
        await using var bob = await Member.JoinAsync(server, Name("bob"));
        Assert.DoesNotContain(ghost, bob.Roster!.Users);
        await alice.Client.SendAsync(new SendChat("after the ghost"));
        await bob.NextAsync<ChatMessage>(m => m.Text == "after the ghost");
    }

    [Fact]
    public async Task The_protocol_is_described_at_protocol_json_from_the_chat_catalogue()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync(server.Chat.HttpUri("/protocol.json"));

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(SwitchboardMessages.Catalog.DescribeJson(), await response.Content.ReadAsStringAsync());
        Assert.Equal(
            ["chat.announcement", "chat.direct", "chat.error", "chat.history", "chat.history.page", "chat.history.refused", "chat.joined", "chat.left",
             "chat.message", "chat.roster", "chat.send"],
            SwitchboardMessages.Catalog.Messages.Select(m => m.Type));

        // The request names its response and its errors.
        using var description = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var history = description.RootElement.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("type").GetString() == "chat.history");
        Assert.Equal(("request", "chat.history.page"), (history.GetProperty("kind").GetString(), history.GetProperty("response").GetString()));
        Assert.Equal(["chat.history.refused"], history.GetProperty("errors").EnumerateArray().Select(e => e.GetString()));
        var refused = description.RootElement.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("type").GetString() == "chat.history.refused");
        Assert.Equal("error", refused.GetProperty("kind").GetString());
    }

    /// <summary>One chat user on a <see cref="SwitchboardClient"/>, with everything it received in order.</summary>
    private sealed class Member : IAsyncDisposable
    {
        private readonly Channel<object> _inbox = Channel.CreateUnbounded<object>();

        private Member(string name, SwitchboardClient client)
        {
            Name = name;
            Client = client;
        }

        public string Name { get; }

        public SwitchboardClient Client { get; }

        public Roster? Roster { get; private set; }

        public List<object> Seen { get; } = [];

        public TaskCompletionSource<CloseCode?> Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public static async Task<Member> JoinAsync(ChatServerFixture server, string name)
        {
            var member = await ConnectAsync(server, name);
            member.Roster = await member.NextAsync<Roster>(_ => true);
            return member;
        }

        public static async Task<Member> ConnectAsync(ChatServerFixture server, string name)
        {
            var client = new SwitchboardClient(server.Chat.WebSocketUri("/ws/" + Uri.EscapeDataString(name)), SwitchboardMessages.Catalog);
            var member = new Member(name, client);
            client.On<Roster>(member.Receive);
            client.On<ChatMessage>(member.Receive);
            client.On<DirectMessage>(member.Receive);
            client.On<UserJoined>(member.Receive);
            client.On<UserLeft>(member.Receive);
            client.On<ChatError>(member.Receive);
            client.StateChanged += (_, e) => { if (e.Current == ConnectionState.Closed) member.Closed.TrySetResult(e.CloseStatus); };
            await client.ConnectAsync();
            return member;
        }

        /// <summary>The next received <typeparamref name="T"/> that matches, skipping others (bounded wait).</summary>
        public async Task<T> NextAsync<T>(Func<T, bool> match)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            while (true)
            {
                var message = await _inbox.Reader.ReadAsync(timeout.Token);
                if (message is T typed && match(typed)) return typed;
            }
        }

        public ValueTask DisposeAsync() => Client.DisposeAsync();

        private void Receive<T>(T message) where T : notnull
        {
            lock (Seen) Seen.Add(message);
            _inbox.Writer.TryWrite(message);
        }
    }
}
