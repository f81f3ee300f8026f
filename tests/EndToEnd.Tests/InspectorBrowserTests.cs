using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.EndToEnd.Tests;

/// <summary>The Echo sample's protocol inspector page in Debian's headless Chromium: the handshake and the server's reading of each frame.</summary>
public sealed class InspectorBrowserTests(ChromiumFixture chromium, InspectorEchoFixture inspector) : IClassFixture<ChromiumFixture>, IClassFixture<InspectorEchoFixture>
{
    private SampleProcess Echo => inspector.Echo;

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

    [Fact]
    public async Task A_fragmented_send_from_the_servers_dotnet_client_shows_a_text_frame_then_continuations_with_FIN_on_the_last()
    {
        await using var context = await chromium.Browser.NewContextAsync();
        IPage page = await OpenAsync(context);

        await page.FillAsync("#fragmented-size", "26");
        await page.FillAsync("#fragment-size", "10");
        await page.SelectOptionAsync("#fragmented-kind", "text");
        await page.ClickAsync("#fragmented button[type=submit]");

        ILocator message = page.Locator("li.message[data-client='dotnet']");
        await Expect(message).ToHaveAttributeAsync("data-frames", "3");
        await Expect(message).ToHaveAttributeAsync("data-length", "26");
        ILocator frames = message.Locator("tr.frame");
        await Expect(frames.Locator("td.fin")).ToHaveTextAsync(["0", "0", "1"]);
        await Expect(frames.Locator("td.opcode")).ToHaveTextAsync(["1 (text)", "0 (continuation)", "0 (continuation)"]);
        await Expect(frames.Locator("td.payload-length")).ToHaveTextAsync(["10", "10", "6"]);
        await Expect(frames.Locator("td.masked")).ToHaveTextAsync(["1", "1", "1"]);
        // The .NET client waits for its echo, then closes: its close frame is read like the browser's.
        await Expect(page.Locator("li.control[data-opcode='close'][data-client='dotnet'] .close-code")).ToHaveTextAsync("1000");
    }

    [Fact]
    public async Task A_ping_shows_the_browsers_masked_pong_as_the_server_reads_it()
    {
        await using var context = await chromium.Browser.NewContextAsync();
        IPage page = await OpenAsync(context);

        await page.FillAsync("#ping-payload", "inspector");
        await page.ClickAsync("#ping");

        // No message follows the ping: the pong shows on its own.
        ILocator pong = page.Locator("li.control[data-opcode='pong'][data-client='browser'] tr.frame");
        await Expect(pong.Locator("td.masked")).ToHaveTextAsync("1");
        await Expect(pong.Locator("td.opcode")).ToHaveTextAsync("10 (pong)");
        await Expect(pong.Locator("td.mask-key")).ToHaveTextAsync(new Regex("^[0-9A-F]{8}$"));
        await Expect(pong.Locator("td.hex").Nth(1)).ToHaveTextAsync(Spaced("inspector")); // the ping's data, unmasked
    }

    [Fact]
    public async Task Closing_shows_the_browsers_close_frame_with_its_code_and_reason_and_a_reconnect_shakes_hands_anew()
    {
        await using var context = await chromium.Browser.NewContextAsync();
        IPage page = await OpenAsync(context);
        string firstKey = await page.Locator("#hs-key").TextContentAsync() ?? "";

        await page.FillAsync("#close-code", "4001");
        await page.FillAsync("#close-reason", "bye");
        await page.ClickAsync("#close");

        ILocator close = page.Locator("li.control[data-opcode='close'][data-client='browser']");
        await Expect(close.Locator(".close-code")).ToHaveTextAsync("4001");
        await Expect(close.Locator(".close-reason")).ToHaveTextAsync("bye");
        await Expect(close.Locator("tr.frame td.masked")).ToHaveTextAsync("1");
        await Expect(close.Locator("tr.frame td.hex").Nth(1)).ToHaveTextAsync(new Regex("^0F A1 62 79 65$")); // 4001, "bye"
        await Expect(page.Locator("#status")).ToHaveTextAsync(new Regex("^closed"));

        await page.ClickAsync("#reconnect");
        await Expect(page.Locator("#status")).ToHaveTextAsync("open");
        await Expect(page.Locator("#hs-key")).Not.ToHaveTextAsync(firstKey);
    }

    /// <summary>Opens the page and waits until its inspected connection is open and its handshake shown.</summary>
    private async Task<IPage> OpenAsync(IBrowserContext context)
    {
        IPage page = await context.NewPageAsync();
        await page.GotoAsync(Echo.HttpUri("/").ToString());
        await Expect(page.Locator("#status")).ToHaveTextAsync("open");
        await Expect(page.Locator("#hs-accept")).ToHaveTextAsync(new Regex("^.{28}$"));
        return page;
    }

    private static string Spaced(string ascii) => string.Join(' ', Encoding.ASCII.GetBytes(ascii).Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));

    private static async Task SendGeneratedAsync(IPage page, string size)
    {
        await page.SelectOptionAsync("#size", size);
        await page.SelectOptionAsync("#kind", "binary");
        await page.ClickAsync("#generated button[type=submit]");
    }
}
