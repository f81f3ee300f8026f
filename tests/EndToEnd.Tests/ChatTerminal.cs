using System.Diagnostics;
using System.Text;
using Switchboard.Testing;

namespace Switchboard.EndToEnd.Tests;

/// <summary>samples/Chat.Client as a real process: its console typed into and its output waited for.</summary>
internal sealed class ChatTerminal : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Changes _printed = new();

    private ChatTerminal(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Print(e.Data);
        process.ErrorDataReceived += (_, e) => Print(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public static ChatTerminal Start(string url, string name, string transport) => Start(["--url", url, "--name", name, "--transport", transport]);

    public static ChatTerminal Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Chat.Client.dll") }.Concat(args)) info.ArgumentList.Add(arg);
        return new ChatTerminal(Process.Start(info) ?? throw new InvalidOperationException("could not start Chat.Client"));
    }

    public async Task TypeAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>The exit code, once the process has ended; fails after 30 seconds.</summary>
    public async Task<int> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public Task WaitForAsync(string text, TimeSpan? within = null) => _printed.UntilAsync(
        () => Printed().Contains(text, StringComparison.Ordinal),
        () => $"Chat.Client printed '{text}'. It printed:\n{Printed()}",
        within ?? TimeSpan.FromSeconds(15));

    private string Printed()
    {
        lock (_output) return _output.ToString();
    }

    private void Print(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
        _printed.Pulse();
    }

    public void Dispose()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _process.WaitForExit(10_000);
        _process.Dispose();
    }
}
