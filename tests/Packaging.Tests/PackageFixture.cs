using System.Globalization;
using System.Reflection;
using Xunit;

namespace Switchboard.Packaging.Tests;

/// <summary>
/// Packs every package the way README.md's "Install" section says, <c>dotnet pack -c Release -o FEED</c> at the root,
/// in a copy of the repository's files (tracked and not ignored, no bin/obj: a fresh clone with the working tree's
/// edits, committed to a throwaway git repository so SourceLink has a commit to point at). The copy keeps the
/// working tree's own build untouched while other test assemblies run from it. The version is one no earlier run
/// used (-p:Version), so the global NuGet cache never serves a stale copy. Removes everything it made afterwards.
/// </summary>
public sealed class PackageFixture : IAsyncLifetime
{
    public static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(10);

    public static readonly string[] PackageIds = ["Switchboard", "Switchboard.Server", "Switchboard.AspNetCore", "Switchboard.Redis"];

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "switchboard-packaging-" + Guid.NewGuid().ToString("N")[..12]);

    public string Version { get; } = "0.0.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "." + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The copy of the repository that was packed.</summary>
    public string Clone => Path.Combine(Root, "repo");

    public string Feed => Path.Combine(Root, "feed");

    /// <summary>The commit of <see cref="Clone"/>, which the packages and their SourceLink name.</summary>
    public string Commit { get; private set; } = "";

    public static string RepositoryRoot { get; } = typeof(PackageFixture).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Feed);
        await CopyRepositoryAsync();

        var (exitCode, output) = await DotnetCli.RunAsync("dotnet", $"pack -c Release -o \"{Feed}\" -p:Version={Version}", Clone, StepTimeout);
        if (exitCode != 0)
        {
            throw new InvalidOperationException("dotnet pack failed:\n" + output);
        }
    }

    public string PackagePath(string id, string extension = "nupkg") => Path.Combine(Feed, $"{id}.{Version}.{extension}");

    /// <summary>A new folder holding the throwaway app for <paramref name="targetFramework"/>, restoring from the feed plus the normal source.</summary>
    public string CreateApp(string name, string targetFramework)
    {
        string app = Path.Combine(Root, name);
        Directory.CreateDirectory(app);
        string template = Path.Combine(AppContext.BaseDirectory, "App");
        File.WriteAllText(
            Path.Combine(app, name + ".csproj"),
            File.ReadAllText(Path.Combine(template, "App.csproj.template"))
                .Replace("$SWITCHBOARD_VERSION$", Version, StringComparison.Ordinal)
                .Replace("$TARGET_FRAMEWORK$", targetFramework, StringComparison.Ordinal));
        File.Copy(Path.Combine(template, "Program.cs"), Path.Combine(app, "Program.cs"));
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="switchboard-local" value="{Feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
              </packageSources>
            </configuration>
            """);
        return app;
    }

    public Task DisposeAsync()
    {
        TryDelete(Root);

        // The unique version is useless once the run is over; keep the global cache tidy.
        string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (string id in PackageIds)
        {
            TryDelete(Path.Combine(cache, id.ToLowerInvariant(), Version));
        }

        return Task.CompletedTask;
    }

    /// <summary>Copies the files git would clone plus the working tree's uncommitted ones, and commits them in the copy.</summary>
    private async Task CopyRepositoryAsync()
    {
        string files = await GitAsync(RepositoryRoot, "ls-files -z --cached --others --exclude-standard");
        foreach (string file in files.Split('\0', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string source = Path.Combine(RepositoryRoot, file);
            if (!File.Exists(source))
            {
                continue; // deleted in the working tree, not yet committed
            }

            string target = Path.Combine(Clone, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(source, target);
        }

        const string Identity = "-c user.name=packaging-tests -c user.email=packaging-tests@localhost -c commit.gpgsign=false -c core.hooksPath=/dev/null";
        await GitAsync(Clone, "init -q");
        await GitAsync(Clone, "add -A");
        await GitAsync(Clone, $"{Identity} commit -q --no-verify -m snapshot");
        Commit = (await GitAsync(Clone, "rev-parse HEAD")).Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Trim();
    }

    private static async Task<string> GitAsync(string directory, string arguments)
    {
        var (exitCode, output) = await DotnetCli.RunAsync("git", arguments, directory, TimeSpan.FromMinutes(2));
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"git {arguments} failed in {directory}:\n{output}");
        }

        return output;
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
