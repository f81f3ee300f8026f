using Switchboard;
using Switchboard.Client;
using Switchboard.Protocol;

/// <summary>
/// A fragmented message for the inspector to read. A browser's WebSocket sends each message as one frame, so the
/// server's own .NET client sends it instead: it connects over loopback to the inspector under the page's trace
/// channel, sends the message in frames of a given size (<see cref="Switchboard.Connections.WebSocketSession.SendFragmentedAsync"/>:
/// text or binary, then continuation frames, FIN on the last), waits for the echo and closes. The server's reader
/// takes those frames as it takes a browser's, and the page shows each, with the client's handshake and close.
/// </summary>
internal static class FragmentedSend
{
    /// <summary>The largest message the page may ask for.</summary>
    public const int MaxSize = 1024 * 1024;

    /// <summary>The most frames the page may ask for, so that it stays readable.</summary>
    public const int MaxFrames = 1000;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static async Task RunAsync(int port, string traceId, Opcode opcode, int size, int fragmentSize)
    {
        var uri = new Uri($"ws://127.0.0.1:{port}{InspectorHandler.Path}?trace={traceId}&client={InspectorHandler.DotnetClient}");
        var session = await WebSocketConnector.ConnectAsync(uri);
        var echoed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<CloseCode?> run = session.RunAsync(_ =>
        {
            echoed.TrySetResult();
            return ValueTask.CompletedTask;
        });

        try
        {
            await session.SendFragmentedAsync(opcode, Generate(opcode, size), fragmentSize);
            await echoed.Task.WaitAsync(Timeout);
            await session.CloseAsync(CloseCode.NormalClosure, "fragmented send done");
            await run.WaitAsync(Timeout);
        }
        catch
        {
            session.Abort();
            throw;
        }
    }

    /// <summary>As the page generates them: repeated letters and digits for text, random bytes for binary.</summary>
    private static byte[] Generate(Opcode opcode, int size)
    {
        byte[] bytes = new byte[size];
        if (opcode == Opcode.Binary)
        {
            Random.Shared.NextBytes(bytes);
            return bytes;
        }

        ReadOnlySpan<byte> alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"u8;
        for (int i = 0; i < size; i++)
        {
            bytes[i] = alphabet[i % alphabet.Length];
        }

        return bytes;
    }
}
