using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.EndToEnd.Tests;

/// <summary>
/// The roster of a chat page (samples/Chat's and samples/Chat.AspNetCore's mark it up alike), waited on through its test
/// ids. A failed wait names the users the roster shows.
/// </summary>
internal sealed class RosterList(IPage page)
{
    private ILocator Entries => page.Locator("[data-testid=roster-user]");

    public ILocator Entry(string user) => page.Locator($"[data-testid=roster-user][data-user='{user}']");

    /// <summary>
    /// Waits until the roster lists each of <paramref name="users"/> exactly once. It may list others: a class's tests
    /// share one server, and a long-polling page whose context closed before its goodbye left the server stays listed
    /// until its session's idle timeout.
    /// </summary>
    public Task ExpectListsAsync(string[] users) => NamingTheShownAsync(async () =>
    {
        foreach (var user in users) await Expect(Entry(user)).ToHaveCountAsync(1);
    });

    /// <summary>Waits until the roster shows exactly <paramref name="users"/>, on a server no other test shares.</summary>
    public Task ExpectOnlyAsync(string[] users) => NamingTheShownAsync(async () =>
    {
        await Expect(Entries).ToHaveCountAsync(users.Length);
        foreach (var user in users) await Expect(Entry(user)).ToHaveCountAsync(1);
    });

    /// <summary>Waits until <paramref name="user"/> has left the roster.</summary>
    public Task ExpectLeftAsync(string user) => NamingTheShownAsync(() => Expect(Entry(user)).ToHaveCountAsync(0));

    private async Task NamingTheShownAsync(Func<Task> expectation)
    {
        try
        {
            await expectation();
        }
        catch (PlaywrightException e)
        {
            var shown = await Entries.EvaluateAllAsync<string[]>("entries => entries.map(e => e.dataset.user)");
            throw new PlaywrightException($"The roster shows [{string.Join(", ", shown)}]: {e.Message}", e);
        }
    }
}
