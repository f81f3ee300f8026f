using System.Diagnostics;
using System.Text;

namespace Switchboard.Interop.Tests;

/// <summary>What a finished peer process printed and how it exited.</summary>
internal sealed record PeerResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>The last line of standard output that starts with <c>RESULT </c>, if any.</summary>
    public string? ResultLine => StandardOutput
        .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .LastOrDefault(line => line.StartsWith("RESULT ", StringComparison.Ordinal));

    public override string ToString() =>
        $"exit code {ExitCode}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";
}

/// <summary>Runs a third-party peer program to completion, bounded by a timeout.</summary>
internal static class PeerProcess
{
    public static async Task<PeerResult> RunAsync(string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        info.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        info.Environment["PYTHONUNBUFFERED"] = "1";

        using var process = new Process { StartInfo = info };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };

        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"could not start {fileName} (run scripts/test.sh to install the test peers): {e.Message}", e);
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try { await process.WaitForExitAsync(grace.Token); } catch (OperationCanceledException) { }
            string partial;
            lock (stdout) partial = stdout.ToString();
            throw new TimeoutException($"{fileName} {string.Join(' ', info.ArgumentList)} did not finish within {timeout}\n{partial}");
        }

        // WaitForExitAsync also waits for the redirected streams to reach end of file.
        string output, error;
        lock (stdout) output = stdout.ToString();
        lock (stderr) error = stderr.ToString();
        return new PeerResult(process.ExitCode, output, error);
    }
}
