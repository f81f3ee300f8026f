using Microsoft.Playwright;
using Xunit;

namespace Switchboard.Testing;

/// <summary>Debian's headless Chromium, started once per test class through Playwright.</summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    /// <summary>Debian's browser; a downloaded browser is never used.</summary>
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("Chromium is not running");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new FileNotFoundException($"{ExecutablePath} is missing: run scripts/test.sh to install Debian's chromium", ExecutablePath);
        }

        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        // Assertions wait for their condition up to this long (Playwright's own default is 5 s). With every test
        // assembly running at once on two cores, a freshly started node's first join can take longer than that; the
        // pages' actions already allow 15 s.
        Assertions.SetDefaultExpectTimeout(15_000);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Timeout = 60_000,
            Args =
            [
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.CloseAsync();
        _playwright?.Dispose();
    }
}
