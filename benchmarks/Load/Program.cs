using Switchboard.Benchmarks.Load;
using Switchboard.Benchmarks.Load.Scenarios;

// The load tool: raw-socket WebSocket clients against any server (docs/performance.md, "Load: side by side").
// Usage: Switchboard.Benchmarks.Load <echo|broadcast|cluster|idle|handshakes|report> [--option value ...]; see Usage below.
const string Usage = """
    usage: Load <scenario> --url ws://127.0.0.1:PORT/PATH [options]
      echo        C connections x P messages in flight x S bytes, closed loop: msgs/s and round-trip latency
                    --connections 32 --inflight 8 --payload 32
      chat        C connections x P of the chat's messages in flight (chat.message envelopes of 20-300 characters
                  of text, every 16th a 2-5 KB history page or roster), closed loop against an echo server: bytes
                  on the wire and server CPU per message; --deflate offers permessage-deflate (no context takeover)
                    --connections 32 --inflight 1 [--deflate]
      broadcast   a room of N users, each with P own messages in flight: deliveries/s, fan-out latency and bytes
                  read per delivery; --text chat sends chat words instead of 'x' filler; --deflate offers
                  permessage-deflate (no context takeover) and sends chat words unless --text filler
                    --users 100 --inflight 1 --payload 64 --format envelope|signalr [--text filler|chat] [--deflate]
      cluster     one room of N users split over the nodes of a cluster (--url A,B: user i on node i % nodes),
                  each with P own messages in flight: deliveries/s and latency, all and cross-node only
                    --users 50 --inflight 16 --payload 64 --format envelope|signalr
                    --server-pid NODE_A,NODE_B,REDIS (their CPU is summed)
      idle        K idle connections held: server RSS growth per connection, connections held
                    --connections 2000 --churn 250 --churn-rounds 12 --warmup-connections 50 --parallel 32
      handshakes  connect + upgrade + closing handshake, L loops: handshakes/s
                    --concurrency 8 --source-ips 32
    common:       --warmup SECONDS --duration SECONDS --label NAME --round N --out results.jsonl
                  --server-pid PID (default: the process listening on the port) --source-ips N
    report        --in results.jsonl [--baseline kestrel] [--cluster-baseline signalr-redis] [--subject switchboard]:
                  the markdown tables
    """;

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine(Usage);
    return args.Length == 0 ? 2 : 0;
}

try
{
    var options = new Options(args.Skip(1));
    if (args[0] == "report") return Report.Run(options);

    var result = args[0] switch
    {
        "echo" => await EchoScenario.RunAsync(options),
        "chat" => await ChatScenario.RunAsync(options),
        "broadcast" => await BroadcastScenario.RunAsync(options),
        "cluster" => await ClusterScenario.RunAsync(options),
        "idle" => await IdleScenario.RunAsync(options),
        "handshakes" => await HandshakeScenario.RunAsync(options),
        _ => throw new UsageException($"unknown scenario '{args[0]}'"),
    };
    Console.WriteLine(result);
    if (options.Has("out")) await File.AppendAllTextAsync(options.Get("out", ""), result.ToJsonLine() + "\n");
    return 0;
}
catch (UsageException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    await Console.Error.WriteLineAsync(Usage);
    return 2;
}
catch (ConnectFailedException e)
{
    await Console.Error.WriteLineAsync($"cannot connect: {e.Message}");
    return 1;
}
