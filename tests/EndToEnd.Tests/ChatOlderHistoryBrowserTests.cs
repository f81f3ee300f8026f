using System.Threading.Channels;
using Chat;
using Microsoft.Playwright;
using Switchboard.Client;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.EndToEnd.Tests;

/// <summary>
/// The chat page loads the room's messages from before its join replay with <c>chat.history</c> requests. Each case
/// starts a chat of its own: the replay is the room's last 50 entries, and a user of another case leaving (a
/// long-polling page is gone only after its session's idle timeout) would be one of them.
/// </summary>
public sealed class ChatOlderHistoryBrowserTests(ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    /// <summary>More than two pages of the page's 50 beyond the join replay of 50.</summary>
    private const int Lines = 160;

    /// <summary>Under the chat's burst of 20 messages at once per connection.</summary>
    private const int LinesPerTalker = 16;

    private static string Name(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..12];

    [Theory]
    [InlineData("websocket")]
    [InlineData("longpolling")]
    public async Task Load_older_pages_back_to_the_start_of_the_history_in_order_and_without_duplicates(string transport)
    {
        await using var chat = await SampleProcess.StartAsync("Chat");
        var tag = Name("t");
        var talkers = new List<(string Name, SwitchboardClient Client, Channel<ChatMessage> Inbox)>();
        try
        {
            for (var i = 0; i < Lines / LinesPerTalker; i++)
            {
                var name = Name("old");
                var inbox = Channel.CreateUnbounded<ChatMessage>();
                var client = new SwitchboardClient(chat.WebSocketUri("/ws/" + name), SwitchboardMessages.Catalog);
                client.On<ChatMessage>(m => inbox.Writer.TryWrite(m));
                talkers.Add((name, client, inbox));
                await client.ConnectAsync();
            }
            // One talker after the other, each waiting for its last line to come back: the room keeps them in line order.
            for (var t = 0; t < talkers.Count; t++)
            {
                var (name, client, inbox) = talkers[t];
                for (var i = t * LinesPerTalker; i < (t + 1) * LinesPerTalker; i++) await client.SendAsync(new SendChat($"{tag} line {i}"));
                await ReadAsync(inbox, m => m.Sender == name && m.Text == $"{tag} line {(t + 1) * LinesPerTalker - 1}");
            }

            var reader = Name("reader");
            await using var page = await ChatPage.OpenAsync(chromium.Browser, chat.HttpUri($"/?transport={transport}"), reader);
            var mine = page.Page.Locator("li[data-kind=message] [data-testid=message-text]", new() { HasTextString = $"{tag} line " });
            // The join replay: the room's last 50 entries, then the reader's own join.
            await Expect(mine.Last).ToHaveTextAsync($"{tag} line {Lines - 1}");
            await Expect(mine).ToHaveCountAsync(50);
            var older = page.Page.GetByTestId("older");
            var button = page.Page.GetByTestId("older-button");
            await Expect(older).ToHaveAttributeAsync("data-state", "idle");

            // The first page with the keyboard: the control takes focus and Enter presses it.
            await button.FocusAsync();
            await page.Page.Keyboard.PressAsync("Enter");
            await Expect(mine).ToHaveCountAsync(100);
            await Expect(mine.First).ToHaveTextAsync($"{tag} line {Lines - 100}");
            await Expect(older).ToHaveAttributeAsync("data-state", "idle");

            // The rest with clicks, until the control says the history has no more.
            for (var pages = 0; await older.GetAttributeAsync("data-state") != "done"; pages++)
            {
                Assert.True(pages < 20, "the history never ended");
                await button.ClickAsync();
                await Expect(older).Not.ToHaveAttributeAsync("data-state", "loading");
                Assert.NotEqual("error", await older.GetAttributeAsync("data-state"));
            }
            await Expect(button).ToBeHiddenAsync();
            await Expect(page.Page.GetByTestId("older-status")).ToHaveTextAsync("No older messages: this is the start of the room’s history.");

            var texts = await mine.AllTextContentsAsync();
            Assert.Equal(Enumerable.Range(0, Lines).Select(i => $"{tag} line {i}"), texts);
            // Every room entry shown once, oldest first: the page's offsets strictly increase from the history's first.
            var offsets = (await page.Page.Locator("li[data-offset]").EvaluateAllAsync<long[]>("items => items.map(i => Number(i.dataset.offset))")).ToList();
            Assert.Equal(offsets.Order().Distinct(), offsets);
            Assert.Equal(1, offsets[0]);
            // The talkers' joins from before the replay are shown as notices too.
            foreach (var (name, _, _) in talkers)
                await Expect(page.Page.Locator("li[data-kind=notice]", new() { HasTextString = $"{name} joined" })).ToHaveCountAsync(1);
            await Expect(page.Error).ToBeHiddenAsync();
        }
        finally
        {
            foreach (var (_, client, _) in talkers) await client.DisposeAsync();
        }
    }

    private static async Task ReadAsync<T>(Channel<T> inbox, Func<T, bool> match)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (true)
        {
            if (match(await inbox.Reader.ReadAsync(timeout.Token))) return;
        }
    }
}
