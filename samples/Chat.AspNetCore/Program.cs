using System.Globalization;
using System.Net;
using Chat;
using Chat.AspNetCore;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.FileProviders;
using Switchboard.Server;
using Switchboard.Server.Engines;

// The chat room of samples/Chat, hosted in ASP.NET Core: a sign-in cookie names the user, an authorization policy
// guards the chat endpoint, and a minimal API pushes announcements into the room.
//   GET  /                the page: a sign-in form, then the room
//   POST /signin          {"name":"alice"} -> the sign-in cookie; GET /signout drops it; GET /me -> {"name":"alice"}
//   /ws                   the room over WebSocket and long polling, for signed-in users only ("chatter")
//   POST /announce        {"text":"..."} with the header X-Announce-Token: TOKEN -> an announcement to the room
//   GET  /protocol.json   every message of the room and its fields
// Usage: dotnet run --project samples/Chat.AspNetCore -- --port 8002 [--announce-token TOKEN]
// Without --announce-token a random token is made and printed.
// With a Switchboard:Redis section in configuration (appsettings.json, or environment variables such as
// Switchboard__Redis__Configuration=127.0.0.1:6379) the room runs on Redis and is shared by every node on it
// (docs/scale-out.md); without one, everything stays in this process.
var port = 8002;
string? announceToken = null;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--port" && i + 1 < args.Length && int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 0 and <= 65535)
    {
        port = p;
    }
    else if (args[i] == "--announce-token" && i + 1 < args.Length && args[++i] is { Length: > 0 } token)
    {
        announceToken = token;
    }
    else
    {
        await Console.Error.WriteLineAsync($"usage: Chat.AspNetCore [--port N] [--announce-token TOKEN]   (unknown or invalid argument '{args[i]}')");
        return 2;
    }
}

var builder = WebApplication.CreateSlimBuilder();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
// The framework's request lines only when something goes wrong; the room's own lines as they come.
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ChatJson.Default));
// Refusals are RFC 9457 problem details: {"status":400,"detail":"..."}.
builder.Services.AddProblemDetails();

builder.Services
    .AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
    .AddCookie(cookie =>
    {
        cookie.Cookie.Name = "chat";
        cookie.Cookie.SameSite = SameSiteMode.Strict;
        // A sign-out at this path goes where its RedirectUri says (GET /signout: back to the page).
        cookie.LogoutPath = "/signout";
        // The page signs in with fetch and shows its own form: a request without the cookie gets 401, not a redirect.
        cookie.Events.OnRedirectToLogin = context =>
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        };
    });
builder.Services.AddAuthorizationBuilder().AddPolicy("chatter", policy => policy.RequireAuthenticatedUser());

builder.Services.AddSwitchboard();
if (builder.Configuration.GetSection(SwitchboardRedisServiceCollectionExtensions.SectionName).Exists())
{
    builder.Services.AddSwitchboardRedis(builder.Configuration);
}
// Named "chat" as samples/Chat's endpoint is; on the container's engine (Redis when configured, else the in-memory one).
builder.Services.AddSingleton(services => new ChatRoom(new MessageEndpoint(SwitchboardMessages.Catalog, services.GetRequiredService<ILoggerFactory>())
{
    Name = "chat",
    Engine = services.GetService<IMessageEngine>(),
}));
builder.Services.AddSingleton(new AnnounceToken(announceToken ?? AnnounceToken.CreateRandom()));

var app = builder.Build();
var room = app.Services.GetRequiredService<ChatRoom>();

// The page's Content-Security-Policy and Referrer-Policy (samples/Chat's PageHeaders), and nosniff, on every response.
app.Use((context, next) =>
{
    foreach (var (name, value) in PageHeaders.All) context.Response.Headers[name] = value;
    context.Response.Headers.XContentTypeOptions = "nosniff";
    return next(context);
});
app.UseFileServer(new FileServerOptions { FileProvider = new PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "page")) });
app.UseAuthentication();
app.UseAuthorization();

app.MapSwitchboardClientScript("/switchboard.js");
app.MapAccount();
app.MapAnnounce();
// The user is the cookie's name (MessageContext.User); the room's rate limits are samples/Chat's.
app.MapSwitchboard("/ws", room.Endpoint, new EndpointOptions
{
    MessageRate = new RateLimit(perSecond: 2, burst: 20),
    ByteRate = new RateLimit(perSecond: 16 * 1024, burst: 64 * 1024),
}).RequireAuthorization("chatter");
var protocol = room.Endpoint.Catalog.DescribeJson();
app.MapGet("/protocol.json", () => TypedResults.Text(protocol, "application/json"));

await app.StartAsync();
// With --port 0 the port is Kestrel's choice, known once it listens.
Console.WriteLine($"listening on http://127.0.0.1:{new Uri(app.Urls.First()).Port}");
if (announceToken is null) Console.WriteLine($"announce token: {app.Services.GetRequiredService<AnnounceToken>().Value}");

await app.WaitForShutdownAsync();
return 0;
