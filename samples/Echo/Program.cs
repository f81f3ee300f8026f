using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Connections;
using Switchboard.Protocol.Framing;
using Switchboard.Server;
using Switchboard.Server.WebSockets;

// The conformance target: echoes every complete message, on any path, with the same opcode and bytes. The standalone
// and generic hosts with --inspector also serve the protocol inspector page at / (the inspector directory): its
// WebSocket at /inspect is an echo whose handshake and frames, as the server read them, stream to the page's second
// WebSocket at /inspect/trace (InspectorHandler.cs, InspectorTraceHandler.cs).
// Usage: dotnet run -c Release --project samples/Echo -- --port 9001 [--host standalone|generic|aspnetcore] [--io-threads N] [--unsafe-inline] [--max-connections-per-address N] [--inspector]
// --host picks what runs the server: standalone (the default) is WebSocketServer on its own; generic is the same
// server as a Generic Host service (AddSwitchboardServer), its options layered with the "Switchboard" configuration
// section (appsettings.json, Switchboard__KEY environment variables); aspnetcore is an ASP.NET Core app on Kestrel
// (MapSwitchboard) with the same limits (EchoHosts.AspNetCore.cs), where the I/O and connection-cap options do not apply.
// --unsafe-inline runs the handler on the I/O threads (WebSocketServerOptions.UnsafePreferInlineScheduling), for comparing.
// The load tool (benchmarks/Load) opens thousands of connections from 127.0.0.1, so the per-address cap is lifted to
// the server's cap by default here; give a smaller one to try the cap.
const string Usage = "usage: Echo [--port N] [--host standalone|generic|aspnetcore] [--io-threads N] [--unsafe-inline] [--max-connections-per-address N] [--inspector]";
var port = 9001;
var host = "standalone";
var ioThreads = Environment.ProcessorCount;
var inline = false;
var inspector = false;
var perAddress = WebSocketServerOptions.DefaultMaxConnections;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--port" && i + 1 < args.Length && int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 0 and <= 65535)
    {
        port = p;
    }
    else if (args[i] == "--host" && i + 1 < args.Length && args[++i] is "standalone" or "generic" or "aspnetcore")
    {
        host = args[i];
    }
    else if (args[i] == "--io-threads" && i + 1 < args.Length && int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out var t))
    {
        ioThreads = t;
    }
    else if (args[i] == "--inspector")
    {
        inspector = true;
    }
    else if (args[i] == "--unsafe-inline")
    {
        inline = true;
    }
    else if (args[i] == "--max-connections-per-address" && i + 1 < args.Length && int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out var c) && c > 0)
    {
        perAddress = c;
    }
    else
    {
        await Console.Error.WriteLineAsync($"{Usage}   (unknown or invalid argument '{args[i]}')");
        return 2;
    }
}

const long SixteenMiB = 16 * 1024 * 1024;
var options = new WebSocketServerOptions
{
    EndPoint = new IPEndPoint(IPAddress.Loopback, port),
    // Conformance cases stream 16 MiB messages in fragments as small as one byte.
    Frames = new FrameReaderOptions { MaxFrameSize = SixteenMiB, MaxMessageSize = SixteenMiB, MaxFragments = (int)SixteenMiB },
    // Room for a few 16 MiB echoes in flight to a peer that sends faster than it reads.
    SendQueueLimit = 4 * SixteenMiB,
    // 0: the runtime's sockets, handlers on the thread pool (for comparing the two).
    IoThreads = ioThreads,
    // The echo handler never blocks: with --unsafe-inline it runs on the I/O threads, without a hop per read.
    UnsafePreferInlineScheduling = inline,
    // Every load-tool connection comes from 127.0.0.1 (8,000 for the idle scenario).
    MaxConnectionsPerAddress = perAddress,
};

return host switch
{
    "generic" => await EchoHosts.RunGenericAsync([.. args.Where(a => a != "--inspector")], options, inspector),
    "aspnetcore" => await EchoHosts.RunAspNetCoreAsync(options),
    _ => await EchoHosts.RunStandaloneAsync(options, inspector),
};

/// <summary>The ways the echo server runs; each prints the "listening on" line the tests wait for, then serves until SIGTERM or Ctrl+C.</summary>
internal static partial class EchoHosts
{
    /// <summary>WebSocketServer on its own, stopped by <see cref="WebSocketServer.RunUntilShutdownAsync"/>.</summary>
    public static async Task<int> RunStandaloneAsync(WebSocketServerOptions options, bool inspector)
    {
        using var loggerFactory = LoggerFactory.Create(ConfigureLogging);
        await using var server = new WebSocketServer(options, loggerFactory);
        Map(server, inspector);
        server.Start();
        PrintListening(server);
        await server.RunUntilShutdownAsync();
        return 0;
    }

    /// <summary>The same server as a Generic Host service: the host's lifetime turns SIGTERM and Ctrl+C into a graceful stop.</summary>
    public static async Task<int> RunGenericAsync(string[] args, WebSocketServerOptions options, bool inspector)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.Logging.ClearProviders();
        ConfigureLogging(builder.Logging);
        var section = builder.Configuration.GetSection("Switchboard");
        builder.Services.AddSwitchboardServer(
            _ => WebSocketServerOptions.FromConfiguration(section, options),
            (server, _) => Map(server, inspector));
        using var app = builder.Build();
        await app.StartAsync();
        PrintListening(app.Services.GetRequiredService<WebSocketServer>());
        await app.WaitForShutdownAsync();
        return 0;
    }

    /// <summary>A test target for any client, browser pages from anywhere (about:blank sends "Origin: null") included.</summary>
    private static readonly EndpointOptions AnyOrigin = new() { AllowedOrigins = ["*"] };

    // With --inspector, the inspector page at / and its WebSockets at /inspect/trace and /inspect; every other
    // WebSocket path, / included, is the strict echo. Without it, nothing answers plain HTTP, so a request without
    // Upgrade gets the handshake's refusal, as conformance runs expect. Routes match in the order mapped.
    private static void Map(WebSocketServer server, bool inspector)
    {
        if (inspector)
        {
            var traces = new InspectorTraces();
            server.Map(InspectorTraceHandler.Path, new InspectorTraceHandler(traces, () => server.LocalEndPoint), AnyOrigin)
                .Map(InspectorHandler.Path, new InspectorHandler(traces), AnyOrigin)
                .MapStaticFiles("/", Path.Combine(AppContext.BaseDirectory, "inspector"),
                    [new("Content-Security-Policy", "default-src 'self'; connect-src 'self' ws: wss:")]);
        }

        server.Map("/{*path}", new EchoHandler(), AnyOrigin);
    }

    private static void PrintListening(WebSocketServer server)
        => Console.WriteLine($"listening on ws://127.0.0.1:{server.LocalEndPoint.Port}");

    private static void ConfigureLogging(ILoggingBuilder logging)
        => logging.AddSimpleConsole(console => console.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
}

/// <summary>Sends each message back unchanged.</summary>
internal sealed class EchoHandler : WebSocketHandler
{
    public override ValueTask OnMessageAsync(WebSocketConnection connection, WebSocketMessage message)
        => connection.SendAsync(message.Opcode, message.Payload);
}
