using System.Diagnostics;
using System.Reflection;

namespace Switchboard.Contract.Tests;

/// <summary>
/// Runs node with the packages scripts/test.sh installs in tests/Contract.Tests/node (typescript, @asyncapi/parser),
/// and gives each test its own scratch directory.
/// </summary>
internal static class NodeTools
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    public static string Directory { get; } = typeof(NodeTools).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "NodeTools").Value!;

    public static string Tsc => Path.Combine(Directory, "node_modules", "typescript", "bin", "tsc");

    /// <summary>A new empty directory under the system's temporary directory.</summary>
    public static string ScratchDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "switchboard-contract-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Runs <c>tsc</c> with <paramref name="arguments"/> in <paramref name="workingDirectory"/>.</summary>
    public static Task<(int ExitCode, string Output)> TscAsync(string workingDirectory, params string[] arguments)
    {
        RequireInstalled(Tsc);
        return NodeAsync(workingDirectory, [Tsc, .. arguments]);
    }

    /// <summary>Runs <c>node</c> with <paramref name="arguments"/>; exit code and standard output and error together.</summary>
    public static async Task<(int ExitCode, string Output)> NodeAsync(string workingDirectory, params string[] arguments)
    {
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // Scripts import the packages from tests/Contract.Tests/node wherever they run.
        info.Environment["NODE_PATH"] = Path.Combine(Directory, "node_modules");
        using var process = Process.Start(info) ?? throw new InvalidOperationException("node did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node {string.Join(' ', arguments)} did not finish within {Timeout}");
        }

        return (process.ExitCode, await output + await error);
    }

    public static void RequireInstalled(string file)
    {
        if (!File.Exists(file))
        {
            throw new InvalidOperationException($"{file} is missing: run scripts/test.sh --deps-only (or npm ci in {Directory}).");
        }
    }
}
