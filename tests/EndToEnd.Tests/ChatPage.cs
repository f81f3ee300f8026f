using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.EndToEnd.Tests;

/// <summary>The chat page in one browser context, driven through its stable test ids.</summary>
internal sealed class ChatPage(IBrowserContext context, IPage page) : IAsyncDisposable
{
    public IPage Page { get; } = page;

    public static async Task<ChatPage> OpenAsync(IBrowser browser, Uri server, string name, bool expectJoined = true)
    {
        var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        await page.GotoAsync(server.ToString());
        await page.GetByTestId("name-input").FillAsync(name);
        await page.GetByTestId("join-button").ClickAsync();
        var chat = new ChatPage(context, page);
        if (expectJoined) await chat.ExpectRosterAsync(name);
        return chat;
    }

    public ILocator Messages => Page.Locator("li[data-testid=message]");

    public ILocator Error => Page.GetByTestId("error");

    public async Task SendAsync(string text)
    {
        await Page.GetByTestId("composer-input").FillAsync(text);
        await Page.GetByTestId("send-button").ClickAsync();
    }

    public async Task SendDirectAsync(string to, string text)
    {
        await Roster.Entry(to).Locator("button").ClickAsync();
        await SendAsync(text);
    }

    /// <inheritdoc cref="RosterList.ExpectListsAsync"/>
    public Task ExpectRosterAsync(params string[] users) => Roster.ExpectListsAsync(users);

    /// <inheritdoc cref="RosterList.ExpectOnlyAsync"/>
    public Task ExpectOnlyRosterAsync(params string[] users) => Roster.ExpectOnlyAsync(users);

    /// <inheritdoc cref="RosterList.ExpectLeftAsync"/>
    public Task ExpectLeftAsync(string user) => Roster.ExpectLeftAsync(user);

    private RosterList Roster { get; } = new(page);

    /// <summary>Waits for a message from <paramref name="sender"/> with exactly <paramref name="text"/>.</summary>
    public Task ExpectMessageAsync(string sender, string text, string kind = "message") =>
        Expect(Page.Locator($"li[data-testid=message][data-kind={kind}][data-sender='{sender}'] [data-testid=message-text]", new() { HasTextString = text }).First)
            .ToHaveTextAsync(text);

    /// <summary>
    /// Leaves the page as a user does, so its client says goodbye (a long-polling session is ended with a DELETE on
    /// "pagehide"), then closes the context. Closing the context alone drops the page unannounced: the server then keeps
    /// a long-polling user in the room until the session's idle timeout, where a later test of the class sees it.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var page in context.Pages) await page.GotoAsync("about:blank");
        await context.CloseAsync();
    }
}
