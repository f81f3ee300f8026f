using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Server;

internal static partial class EchoHosts
{
    /// <summary>
    /// The same echo on every path, hosted in ASP.NET Core: Kestrel reads the request and Switchboard runs the
    /// connection from the upgrade on. The options that apply under Kestrel are the standalone server's: frame,
    /// message and send-queue limits to Switchboard, the address, request-head limits and handshake timeout to Kestrel.
    /// </summary>
    public static async Task<int> RunAspNetCoreAsync(WebSocketServerOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        ConfigureLogging(builder.Logging);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(options.EndPoint);
            // Past either cap Kestrel answers 431, as the standalone server does; a head still unfinished after the
            // handshake timeout gets 408.
            kestrel.Limits.MaxRequestHeadersTotalSize = options.RequestHead.MaxHeaderBytes;
            kestrel.Limits.MaxRequestHeaderCount = options.RequestHead.MaxHeaderCount;
            kestrel.Limits.RequestHeadersTimeout = options.HandshakeTimeout;
        });
        builder.Services.AddSwitchboard(switchboard =>
        {
            switchboard.Frames = options.Frames;
            switchboard.SendQueueLimit = options.SendQueueLimit;
        });

        await using var app = builder.Build();
        app.MapSwitchboard("/{**path}", new EchoHandler(), AnyOrigin);
        await app.StartAsync();
        // With --port 0 the port is Kestrel's choice, known once it listens.
        Console.WriteLine($"listening on ws://127.0.0.1:{new Uri(app.Urls.First()).Port}");
        await app.WaitForShutdownAsync();
        return 0;
    }
}
