using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.AspNetCore.Hosting;
using Switchboard.Client;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.AspNetCore.Tests;

/// <summary>The Switchboard server meter under ASP.NET Core: transports and <c>http.route</c> as standalone.</summary>
public sealed class ObservabilityTests
{
    [Fact]
    public async Task Connections_are_counted_by_transport_with_the_pattern_as_http_route()
    {
        await using var app = await TestApp.StartAsync(b => b.Services.AddSwitchboard(), a => a.MapSwitchboard("/ws/{room}", TestApp.Echo()));
        var meter = app.App.Services.GetRequiredService<SwitchboardHost>().Meter;
        var active = new ConcurrentDictionary<(string Transport, string Route), long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == meter && instrument.Name == "switchboard.server.active_connections") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? transport = null, route = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "switchboard.transport") transport = tag.Value as string;
                if (tag.Key == "http.route") route = tag.Value as string;
            }
            active.AddOrUpdate((transport!, route!), value, (_, sum) => sum + value);
        });
        listener.Start();

        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(app.Ws("/ws/a"), CancellationToken.None);
        await using var polling = new SwitchboardClient(app.Ws("/ws/b"), SwitchboardMessages.Catalog,
            new SwitchboardClientOptions { Transport = SwitchboardTransport.LongPolling });
        await polling.ConnectAsync();

        await Eventually.TrueAsync(() => active.GetValueOrDefault(("websocket", "/ws/{room}")) == 1 && active.GetValueOrDefault(("long_polling", "/ws/{room}")) == 1,
            () => "one connection of each transport on /ws/{room}: " + string.Join(", ", active));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        await Eventually.TrueAsync(() => active.GetValueOrDefault(("websocket", "/ws/{room}")) == 0, "the WebSocket connection uncounted");
    }
}
