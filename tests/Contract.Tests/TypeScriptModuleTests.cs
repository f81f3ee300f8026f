using System.Reflection;

namespace Switchboard.Contract.Tests;

public sealed class TypeScriptModuleTests
{
    private static string Module => TypeScriptModule.Write(SwitchboardMessages.Catalog, "Switchboard.Contract.Tests");

    [Fact]
    public void Module_of_every_shape() => Snapshot.Verify(Module);

    [Fact]
    public async Task An_app_using_the_module_compiles_under_strict()
    {
        var directory = Write(
            """
            import { typed, problemWith, type SwitchboardClientLike, type AllShapes, type Messages } from "./messages.js";

            interface Client extends SwitchboardClientLike {
              send(type: string, data: unknown): boolean;
              on(type: string, handler: (data: unknown) => void): () => void;
            }

            export function start(client: Client): void {
              const chat = typed(client, (invalid) => { throw new Error(`${invalid.type}: ${invalid.problem}`); });
              const handed: boolean = chat.send("chat.send", { text: "hello" });
              const off: () => void = chat.on("chat.message", (posted) => {
                const sender: string = posted.sender;
                const mood: "Calm" | "Busy" = posted.mood;
                const names: string[] = (posted.attachments ?? []).map((a) => a.name + (a.anchor?.x ?? 0));
                void sender; void mood; void names;
              });
              chat.on("shapes.all", (all: AllShapes) => {
                const maybe: number | null | undefined = all.maybe;
                const scores: Record<string, number> = all.scores;
                const labels: (string | null)[] = all.labels;
                const extra: string | null | undefined = all["extra-field"];
                void maybe; void scores; void labels; void extra;
              });
              chat.send("shapes.empty", {});
              void chat.request("shapes.lookup", { key: "k" }, { timeout: 1000 }).then((reply) => {
                const text: string = reply.type === "shapes.found" ? reply.data.value : reply.data.reason;
                void text;
              });
              const problem: string | undefined = problemWith("chat.send", {});
              const type: keyof Messages = "chat.send";
              void handed; void off; void problem; void type;
            }
            """);

        var (exitCode, output) = await NodeTools.TscAsync(directory, CompilerOptions("--noEmit"));

        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task The_wrapper_takes_the_switchboard_client_package()
    {
        var directory = Write(
            """
            import { SwitchboardClient, type Unsubscribe } from "./switchboard.js";
            import { typed } from "./messages.js";

            export function start(): void {
              const chat = typed(new SwitchboardClient("ws://127.0.0.1:9/ws/ada"), (bad) => { throw new Error(bad.problem); });
              const handed: boolean = chat.send("chat.send", { text: "hi" });
              const off: Unsubscribe = chat.on("chat.message", (posted) => { const at: string = posted.sentAt; void at; });
              void handed; void off;
            }
            """);
        var package = typeof(TypeScriptModuleTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "ClientPackage").Value!;
        File.Copy(Path.Combine(package, "switchboard.js"), Path.Combine(directory, "switchboard.js"));
        File.Copy(Path.Combine(package, "switchboard.d.ts"), Path.Combine(directory, "switchboard.d.ts"));

        var (exitCode, output) = await NodeTools.TscAsync(directory,
            ["--strict", "--noEmit", "--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext", "--lib", "es2022,dom", "app.ts", "messages.ts"]);

        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task A_misspelt_message_type_does_not_compile()
    {
        var directory = Write(
            """
            import { typed, type SwitchboardClientLike } from "./messages.js";

            export function start(client: SwitchboardClientLike): void {
              const chat = typed(client, () => {});
              chat.send("chat.sned", { text: "hello" });
            }
            """);

        var (exitCode, output) = await NodeTools.TscAsync(directory, CompilerOptions("--noEmit"));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("error TS2345: Argument of type '\"chat.sned\"' is not assignable", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_is_not_sent_with_send_and_a_message_is_not_requested()
    {
        var directory = Write(
            """
            import { typed, type SwitchboardClientLike } from "./messages.js";

            export function start(client: SwitchboardClientLike): void {
              const chat = typed(client, () => {});
              chat.send("shapes.lookup", { key: "k" });
              void chat.request("chat.send", { text: "hello" });
            }
            """);

        var (exitCode, output) = await NodeTools.TscAsync(directory, CompilerOptions("--noEmit"));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Argument of type '\"shapes.lookup\"' is not assignable", output, StringComparison.Ordinal);
        Assert.Contains("Argument of type '\"chat.send\"' is not assignable to parameter of type '\"shapes.lookup\"'", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Data_of_the_wrong_type_does_not_compile()
    {
        var directory = Write(
            """
            import { typed, type SwitchboardClientLike } from "./messages.js";

            export function start(client: SwitchboardClientLike): void {
              typed(client, () => {}).send("chat.send", { txt: "hello" });
            }
            """);

        var (exitCode, output) = await NodeTools.TscAsync(directory, CompilerOptions("--noEmit"));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("'txt' does not exist in type 'SendChat'", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_validators_report_malformed_data_instead_of_delivering_it()
    {
        var directory = Write(
            """
            import { typed, problemWith } from "./messages.js";

            declare const console: { log(text: string): void };

            // The smallest client the wrapper accepts: it keeps the handlers so the script can deliver data to them.
            const handlers = new Map<string, (data: unknown) => void>();
            const client = {
              send(type: string, data: unknown): void { void type; void data; },
              on(type: string, handler: (data: unknown) => void): void { handlers.set(type, handler); },
            };
            const delivered: unknown[] = [];
            const invalid: string[] = [];
            const chat = typed(client, (message) => invalid.push(`${message.type} ${message.problem}`));
            chat.on("chat.message", (posted) => delivered.push(posted.sender));
            const deliver = handlers.get("chat.message")!;
            deliver({ sender: "ada", text: "hi", sentAt: "2024-05-01T10:00:00+00:00", mood: "Calm" });
            deliver({ sender: 42, text: "hi", sentAt: "2024-05-01T10:00:00+00:00", mood: "Calm" });
            deliver({ sender: "bob", text: "hi", sentAt: "2024-05-01T10:00:00+00:00", mood: "Angry" });
            deliver({ sender: "eve", sentAt: "2024-05-01T10:00:00+00:00", mood: "Calm" });
            deliver({ sender: "joe", text: "hi", sentAt: "2024-05-01T10:00:00+00:00", mood: "Busy", attachments: [{ name: "a", content: "AQID", anchor: { x: 1, y: 2 } }] });

            const problems = {
              byteRange: problemWith("shapes.all", { ...valid(), small: 256 }),
              nullNotAllowed: problemWith("shapes.all", { ...valid(), name: null }),
              nullAllowed: problemWith("shapes.all", { ...valid(), maybe: null, note: null, target: null }),
              optionalMissing: problemWith("shapes.all", (({ retries, ...rest }) => { void retries; return rest; })(valid())),
              flags: problemWith("shapes.all", { ...valid(), access: "Read, Write" }),
              badFlags: problemWith("shapes.all", { ...valid(), access: "Read, Execute" }),
              map: problemWith("shapes.all", { ...valid(), scores: { a: "1" } }),
              guid: problemWith("shapes.all", { ...valid(), id: "nope" }),
              valid: problemWith("shapes.all", valid()),
            };
            console.log(JSON.stringify({ delivered, invalid, problems }));

            function valid(): Record<string, unknown> {
              return {
                flag: true, letter: "x", small: 255, signedSmall: -128, medium: 1, unsignedShort: 2, count: 3, unsignedCount: 4,
                big: 5, unsignedBig: 6, ratio: 0.5, precise: 1.25, price: 9.99, name: "n", id: "0f8fad5b-d9cb-469f-a165-70867728950e",
                localTime: "2024-05-01T10:00:00", at: "2024-05-01T10:00:00+02:00", duration: "1.02:03:04", day: "2024-05-01",
                time: "10:00:00", blob: "AQID", mood: "Busy", access: "Read", maybe: 1, note: "t", origin: { x: 0, y: 0 },
                target: { x: 1, y: 1 }, numbers: [1, 2], path: [{ x: 0, y: 0 }], labels: ["a", null], scores: { a: 1 },
                routes: { r: [{ x: 0, y: 0 }] }, moods: ["Calm"], retries: 3, "extra-field": null,
              };
            }
            """);

        var (exitCode, output) = await NodeTools.TscAsync(directory, CompilerOptions("--outDir", "out"));
        Assert.True(exitCode == 0, output);
        File.WriteAllText(Path.Combine(directory, "out", "package.json"), """{ "type": "module" }""");
        (exitCode, output) = await NodeTools.NodeAsync(directory, Path.Combine("out", "app.js"));
        Assert.True(exitCode == 0, output);

        using var result = System.Text.Json.JsonDocument.Parse(output);
        var root = result.RootElement;
        Assert.Equal(["ada", "joe"], root.GetProperty("delivered").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(
            [
                "chat.message data.sender: expected a string, got number",
                "chat.message data.mood: expected one of \"Calm\", \"Busy\"",
                "chat.message data.text: missing",
            ],
            root.GetProperty("invalid").EnumerateArray().Select(e => e.GetString()));
        var problems = root.GetProperty("problems");
        Assert.Equal("data.small: expected an integer from 0 to 255", problems.GetProperty("byteRange").GetString());
        Assert.Equal("data.name: expected a string, got null", problems.GetProperty("nullNotAllowed").GetString());
        Assert.Equal("data.access: expected a comma-separated list of \"None\", \"Read\", \"Write\"", problems.GetProperty("badFlags").GetString());
        Assert.Equal("data.scores[\"a\"]: expected an integer from -2147483648 to 2147483647", problems.GetProperty("map").GetString());
        Assert.Equal("data.id: expected a GUID", problems.GetProperty("guid").GetString());
        foreach (var accepted in new[] { "nullAllowed", "optionalMissing", "flags", "valid" })
        {
            Assert.False(problems.TryGetProperty(accepted, out _), $"{accepted}: {problems}");
        }
    }

    private static string[] CompilerOptions(params string[] extra) =>
        ["--strict", "--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext", "--lib", "es2022", .. extra, "app.ts", "messages.ts"];

    /// <summary>A scratch directory with the module as messages.ts and <paramref name="source"/> as the app.</summary>
    private static string Write(string source)
    {
        var directory = NodeTools.ScratchDirectory();
        File.WriteAllText(Path.Combine(directory, "messages.ts"), Module);
        File.WriteAllText(Path.Combine(directory, "app.ts"), source);

        File.WriteAllText(Path.Combine(directory, "package.json"), """{ "type": "module" }""");
        return directory;
    }
}
