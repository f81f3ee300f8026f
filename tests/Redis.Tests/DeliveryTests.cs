using System.Text;
using Switchboard.Server.Engines;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.Redis.Tests;

[Collection(SharedRedis.Name)]
public sealed class DeliveryTests(RedisServer redis)
{
    [Fact]
    public async Task Thousands_of_messages_from_two_publishers_reach_three_nodes_once_each_in_each_publishers_order()
    {
        await using var cluster = new Cluster(redis.Configuration);
        var nodes = await cluster.AddAsync(3);
        const int PerPublisher = 2000;

        async Task Publish(Cluster.Member from, string name)
        {
            // Issued back to back without awaiting each: the order promised is the order of the calls.
            var sends = new List<Task<long>>(PerPublisher);
            for (var i = 0; i < PerPublisher; i++)
            {
                sends.Add(from.Endpoint.PublishAsync(MessageTarget.All(), Cluster.Message("tick", $$"""{"from":"{{name}}","n":{{i}}}"""), CancellationToken.None).AsTask());
            }
            Assert.All(await Task.WhenAll(sends), offset => Assert.Equal(0, offset));
        }

        await Task.WhenAll(Publish(nodes[0], "a"), Publish(nodes[1], "b"));

        foreach (var node in nodes)
        {
            await node.Node.Changes.UntilAsync(() => node.Node.Deliveries.Count >= 2 * PerPublisher, () => $"node {node.Endpoint.NodeNumber} got {node.Node.Deliveries.Count}");
            var deliveries = node.Node.Deliveries;
            Assert.Equal(2 * PerPublisher, deliveries.Count);
            foreach (var name in new[] { "a", "b" })
            {
                var numbers = deliveries.Where(d => d.Envelope.Contains($"\"from\":\"{name}\"", StringComparison.Ordinal)).Select(d => N(d.Envelope)).ToList();
                Assert.Equal(Enumerable.Range(0, PerPublisher), numbers);
            }
        }
    }

    [Fact]
    public async Task Each_target_kind_arrives_on_every_node_as_it_was_published()
    {
        await using var cluster = new Cluster(redis.Configuration);
        var nodes = await cluster.AddAsync(2);
        var targets = new[]
        {
            MessageTarget.All(),
            MessageTarget.All(except: nodes[0].Connection(7)),
            MessageTarget.Group("room", except: nodes[1].Connection(3)),
            MessageTarget.Group("ünïcode room"),
            MessageTarget.User("Ada"),
            MessageTarget.Connection(nodes[1].Connection(42)),
        };
        for (var i = 0; i < targets.Length; i++)
        {
            Assert.Equal(0, await nodes[0].Endpoint.PublishAsync(targets[i], Cluster.Message("kind", i.ToString()), CancellationToken.None));
        }
        foreach (var node in nodes)
        {
            await node.Node.Changes.UntilAsync(() => node.Node.Deliveries.Count == targets.Length, "every target delivered");
            var deliveries = node.Node.Deliveries;
            for (var i = 0; i < targets.Length; i++)
            {
                Assert.Equal(targets[i], deliveries[i].Target);
                Assert.Equal("kind", deliveries[i].Type);
                Assert.Equal($$"""{"type":"kind","data":{{i}}}""", deliveries[i].Envelope);
                Assert.Equal(0, deliveries[i].Offset);
            }
        }
    }

    [Fact]
    public void A_frame_keeps_its_envelope_bytes_and_refuses_garbage()
    {
        var envelope = Encoding.UTF8.GetBytes("""{"type":"x","data":"é"}""");
        var frame = Frame.Channel(MessageTarget.Group("g", except: 5), new EngineMessage("x", envelope));
        var (target, message) = Frame.ReadChannel(frame);
        Assert.Equal(MessageTarget.Group("g", except: 5), target);
        Assert.Equal(envelope, message.Envelope.ToArray());
        Assert.Throws<FormatException>(() => Frame.ReadChannel(new byte[12]));
        Assert.Throws<FormatException>(() => Frame.ReadChannel(frame.AsMemory(0, 20)));
    }

    private static int N(string envelope)
    {
        var at = envelope.IndexOf("\"n\":", StringComparison.Ordinal) + 4;
        return int.Parse(envelope.AsSpan(at, envelope.IndexOf('}', at) - at));
    }
}
