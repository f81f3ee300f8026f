using System.Net;
using System.Text;
using Microsoft.Playwright;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.EndToEnd.Tests.AspNetCore;

/// <summary>The page of samples/Chat.AspNetCore loads the room's messages from before its join replay with <c>chat.history</c>.</summary>
public sealed class AspNetCoreChatOlderHistoryBrowserTests(AspNetCoreChatFixture server, ChromiumFixture chromium)
    : IClassFixture<AspNetCoreChatFixture>, IClassFixture<ChromiumFixture>
{
    /// <summary>More than two pages of the page's 50 beyond the join replay of 50.</summary>
    private const int Announcements = 130;

    [Fact]
    public async Task Load_older_pages_back_to_the_start_of_the_history_in_order_and_without_duplicates()
    {
        // Announcements fill the room fastest: POST /announce has no per-connection rate, and each is in the room once answered.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        for (var i = 0; i < Announcements; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, server.Chat.HttpUri("/announce"))
            {
                Content = new StringContent($$"""{"text":"news {{i}}"}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("X-Announce-Token", AspNetCoreChatFixture.AnnounceToken);
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        var reader = $"reader{Guid.NewGuid():N}"[..12];
        await using var chat = await SignedInChatPage.SignInAsync(chromium.Browser, server.Chat.HttpUri("/"), reader);
        var news = chat.Page.Locator("li[data-kind=announcement] [data-testid=message-text]");
        await Expect(news.Last).ToHaveTextAsync($"news {Announcements - 1}");
        await Expect(news).ToHaveCountAsync(50);
        var older = chat.Page.GetByTestId("older");
        var button = chat.Page.GetByTestId("older-button");
        await Expect(older).ToHaveAttributeAsync("data-state", "idle");

        await button.FocusAsync();
        await chat.Page.Keyboard.PressAsync("Enter");
        await Expect(news).ToHaveCountAsync(100);
        await Expect(news.First).ToHaveTextAsync($"news {Announcements - 100}");

        for (var pages = 0; await older.GetAttributeAsync("data-state") != "done"; pages++)
        {
            Assert.True(pages < 10, "the history never ended");
            await button.ClickAsync();
            await Expect(older).Not.ToHaveAttributeAsync("data-state", "loading");
            Assert.NotEqual("error", await older.GetAttributeAsync("data-state"));
        }
        await Expect(button).ToBeHiddenAsync();
        await Expect(chat.Page.GetByTestId("older-status")).ToHaveTextAsync("No older messages: this is the start of the room’s history.");

        Assert.Equal(Enumerable.Range(0, Announcements).Select(i => $"news {i}"), await news.AllTextContentsAsync());
        var offsets = (await chat.Page.Locator("li[data-offset]").EvaluateAllAsync<long[]>("items => items.map(i => Number(i.dataset.offset))")).ToList();
        Assert.Equal(offsets.Order().Distinct(), offsets);
        Assert.Equal(1, offsets[0]);
    }
}
