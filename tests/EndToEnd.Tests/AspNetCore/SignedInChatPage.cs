using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.EndToEnd.Tests.AspNetCore;

/// <summary>The page of samples/Chat.AspNetCore in one browser context (its own cookie jar), driven through its test ids.</summary>
internal sealed class SignedInChatPage(IBrowserContext context, IPage page) : IAsyncDisposable
{
    public IPage Page { get; } = page;

    public IBrowserContext Context { get; } = context;

    public ILocator Error => Page.GetByTestId("error");

    public ILocator Status => Page.GetByTestId("status");

    /// <summary>Opens the page in a new context, signs in as <paramref name="name"/> and, unless told not to, waits to be in the roster.</summary>
    public static async Task<SignedInChatPage> SignInAsync(IBrowser browser, Uri site, string name, bool expectJoined = true)
    {
        var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        await page.GotoAsync(site.ToString());
        var chat = new SignedInChatPage(context, page);
        await chat.SubmitSignInAsync(name);
        if (expectJoined) await chat.ExpectRosterAsync(name);
        return chat;
    }

    /// <summary>Fills the sign-in form and submits it.</summary>
    public async Task SubmitSignInAsync(string name)
    {
        await Page.GetByTestId("name-input").FillAsync(name);
        await Page.GetByTestId("signin-button").ClickAsync();
    }

    public async Task SendAsync(string text)
    {
        await Page.GetByTestId("composer-input").FillAsync(text);
        await Page.GetByTestId("send-button").ClickAsync();
    }

    /// <inheritdoc cref="RosterList.ExpectListsAsync"/>
    public Task ExpectRosterAsync(params string[] users) => Roster.ExpectListsAsync(users);

    /// <inheritdoc cref="RosterList.ExpectLeftAsync"/>
    public Task ExpectLeftAsync(string user) => Roster.ExpectLeftAsync(user);

    /// <summary>Waits for a message of <paramref name="kind"/> from <paramref name="sender"/> with exactly <paramref name="text"/>.</summary>
    public Task ExpectMessageAsync(string sender, string text, string kind = "message") =>
        Expect(Page.Locator($"li[data-testid=message][data-kind={kind}][data-sender='{sender}'] [data-testid=message-text]", new() { HasTextString = text }).First)
            .ToHaveTextAsync(text);

    public Task ExpectAnnouncementAsync(string text) => ExpectMessageAsync("announcement", text, kind: "announcement");

    private RosterList Roster { get; } = new(page);

    /// <summary>
    /// Leaves the page as a user does, so its client says goodbye (a long-polling session is ended with a DELETE on
    /// "pagehide"), then closes the context. Closing the context alone drops the page unannounced: the server then keeps
    /// a long-polling user in the room until the session's idle timeout, and the next test of the class sees it.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var page in Context.Pages) await page.GotoAsync("about:blank");
        await Context.CloseAsync();
    }
}
