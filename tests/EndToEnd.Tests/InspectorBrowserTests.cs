using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.EndToEnd.Tests;

/// <summary>The Echo sample's protocol inspector page in Debian's headless Chromium: the handshake and the server's reading of each frame.</summary>
public sealed class InspectorBrowserTests(ChromiumFixture chromium) : IClassFixture<ChromiumFixture>, IAsyncLifetime
{
    private SampleProcess? _echo;

    private SampleProcess Echo => _echo ?? throw new InvalidOperationException("the Echo sample is not running");

    public async Task InitializeAsync()
    {
        // Run from the copy of its build output beside the tests (see CopySamples in the project file).
        var dll = Path.Combine(AppContext.BaseDirectory, "samples", "Echo", "Echo.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException("samples/Echo is not built beside the tests", dll);
        _echo = await SampleProcess.StartProgramAsync("dotnet", [dll, "--port", "0", "--inspector"]);
    }

    public async Task DisposeAsync()
    {
        if (_echo is not null) await _echo.DisposeAsync();
    }

    [Fact]
    public async Task Page_shows_the_accept_the_browser_verified_and_the_16_and_64_bit_length_forms_with_a_masking_key()
    {
        await using var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(Echo.HttpUri("/").ToString());

        // "open" means Chromium checked the 101's Sec-WebSocket-Accept against the key it sent.
        await Expect(page.Locator("#status")).ToHaveTextAsync("open");
        await Expect(page.Locator("#hs-accept")).ToHaveTextAsync(new Regex("^.{28}$"));
        string key = await page.Locator("#hs-key").TextContentAsync() ?? "";
        Assert.Equal(24, key.Length); // base64 of the 16 random bytes the browser chose
#pragma warning disable CA5350 // RFC 6455 prescribes SHA-1.
        string expected = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
#pragma warning restore CA5350
        await Expect(page.Locator("#hs-accept")).ToHaveTextAsync(expected);
        await Expect(page.Locator("#hs-joined")).ToHaveTextAsync(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11");

        await SendGeneratedAsync(page, "126");
        ILocator first = page.Locator("li.message[data-length='126'] tr.frame").First;
        await Expect(first.Locator("td.length-form")).ToHaveTextAsync(new Regex("^16-bit"));
        await Expect(first.Locator("td.mask-key")).ToHaveTextAsync(new Regex("^[0-9A-F]{8}$")); // 4 bytes

        await SendGeneratedAsync(page, "65536");
        ILocator second = page.Locator("li.message[data-length='65536'] tr.frame").First;
        await Expect(second.Locator("td.length-form")).ToHaveTextAsync(new Regex("^64-bit"));
        await Expect(second.Locator("td.mask-key")).ToHaveTextAsync(new Regex("^[0-9A-F]{8}$"));
        await Expect(page.Locator("li.message[data-length='65536'] p.echo")).ToContainTextAsync("echo: ");
    }

    private static async Task SendGeneratedAsync(IPage page, string size)
    {
        await page.SelectOptionAsync("#size", size);
        await page.SelectOptionAsync("#kind", "binary");
        await page.ClickAsync("#generated button[type=submit]");
    }
}
