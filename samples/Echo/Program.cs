using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Switchboard.Connections;
using Switchboard.Protocol.Framing;
using Switchboard.Server;
using Switchboard.Server.WebSockets;

// The conformance target: echoes every complete message, on any path, with the same opcode and bytes.
// Usage: dotnet run -c Release --project samples/Echo -- --port 9001 [--io-threads N] [--unsafe-inline] [--max-connections-per-address N]
// --unsafe-inline runs the handler on the I/O threads (WebSocketServerOptions.UnsafePreferInlineScheduling), for comparing.
// The load tool (benchmarks/Load) opens thousands of connections from 127.0.0.1, so the per-address cap is lifted to
// the server's cap by default here; give a smaller one to try the cap.
var port = 9001;
var ioThreads = Environment.ProcessorCount;
var inline = false;
var perAddress = WebSocketServerOptions.DefaultMaxConnections;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--port" && i + 1 < args.Length && int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 0 and <= 65535)
    {
        port = p;
    }
    else if (args[i] == "--io-threads" && i + 1 < args.Length && int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out var t))
    {
        ioThreads = t;
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
        await Console.Error.WriteLineAsync($"usage: Echo [--port N] [--io-threads N] [--unsafe-inline] [--max-connections-per-address N]   (unknown or invalid argument '{args[i]}')");
        return 2;
    }
}

const long SixteenMiB = 16 * 1024 * 1024;
using var loggerFactory = LoggerFactory.Create(logging => logging
    .AddSimpleConsole(console => console.SingleLine = true)
    .SetMinimumLevel(LogLevel.Warning));

await using var server = new WebSocketServer(
    new WebSocketServerOptions
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
    },
    loggerFactory);
// A test target for any client, browser pages from anywhere (about:blank sends "Origin: null") included.
server.Map("/{*path}", new EchoHandler(), new EndpointOptions { AllowedOrigins = ["*"] });
server.Start();
Console.WriteLine($"listening on ws://127.0.0.1:{server.LocalEndPoint.Port}");

await server.RunUntilShutdownAsync();
return 0;

/// <summary>Sends each message back unchanged.</summary>
internal sealed class EchoHandler : WebSocketHandler
{
    public override ValueTask OnMessageAsync(WebSocketConnection connection, WebSocketMessage message)
        => connection.SendAsync(message.Opcode, message.Payload);
}
