using System.IO.Compression;
using Xunit;

namespace Switchboard.Packaging.Tests;

/// <summary>
/// The Switchboard package as a user gets it: packed to a local folder, restored into a fresh app by
/// <c>PackageReference</c>, built and run; then the same app published with Native AOT.
/// </summary>
public sealed class PackageTests(PackageFixture package) : IClassFixture<PackageFixture>
{
    private static readonly string[] ExpectedOutput =
    [
        """{"type":"chat.send","id":"7","data":{"text":"hi \u003Cthere\u003E","mood":"Happy","mentions":[{"user":"bob","offset":3}],"meta":{"lang":"en"},"after":"01:30:00"}}""",
        "type=chat.send id=7 known=True",
        "text=hi <there> mood=Happy mentions=1 first=bob@3 lang=en after=01:30:00",
        "Invalid 'chat.send' message at 'data.mood': 'Sad' is not a member of App.Mood",
        "chat.send -> SendChat: text: string (required), mood: App.Mood (required), mentions: array<App.Mention> (required), meta: map<string, string> (required), after: timespan?",
        "chat.typing -> Typing: user: string (required)",
    ];

    [Fact]
    public void Package_holds_the_library_and_the_generator()
    {
        string nupkg = Path.Combine(package.Feed, $"Switchboard.{package.Version}.nupkg");
        using var archive = ZipFile.OpenRead(nupkg);
        var entries = archive.Entries.Select(e => e.FullName).ToList();
        Assert.Contains("lib/net10.0/Switchboard.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/Switchboard.Generators.dll", entries);
    }

    [Fact]
    public async Task App_restored_from_the_package_builds_and_runs()
    {
        string app = package.CreateApp("PackagedApp");
        var (exitCode, output) = await DotnetCli.RunAsync("dotnet", "run -c Release", app, PackageFixture.StepTimeout);
        Assert.True(exitCode == 0, output);
        Assert.Equal(ExpectedOutput, Lines(output)[^ExpectedOutput.Length..]);
    }

    [Fact]
    public async Task App_publishes_with_native_AOT_without_warnings_and_runs()
    {
        string app = package.CreateApp("AotApp");
        string publish = Path.Combine(app, "publish");
        var (exitCode, output) = await DotnetCli.RunAsync(
            "dotnet",
            $"publish -c Release -r linux-x64 -p:PublishAot=true -p:TreatWarningsAsErrors=false -o \"{publish}\" -clp:NoSummary",
            app,
            PackageFixture.StepTimeout);
        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain("warning", output, StringComparison.OrdinalIgnoreCase);

        string executable = Path.Combine(publish, "App");
        Assert.True(File.Exists(executable), output);
        Assert.False(File.Exists(Path.Combine(publish, "App.dll")), "expected a native executable, not an IL assembly");
        var (runExit, runOutput) = await DotnetCli.RunAsync(executable, string.Empty, app, TimeSpan.FromMinutes(1));
        Assert.True(runExit == 0, runOutput);
        Assert.Equal(ExpectedOutput, Lines(runOutput));
    }

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
