using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Switchboard.Serialization;
using Switchboard.Server.Contract;

namespace Switchboard.Contract;

/// <summary>
/// Writes a TypeScript module from a message catalogue: an interface per object, a union type per enum, maps from wire
/// name to data, runtime validators for incoming data, and <c>typed(client, onInvalid)</c>, a wrapper over a Switchboard
/// client whose <c>send</c>, <c>on</c> and <c>request</c> are keyed by wire name.
/// </summary>
/// <remarks>
/// Field types follow the generated serializers: a field that is not required may be absent (<c>name?:</c>), a nullable
/// one may be <c>null</c>, enums are their member names, 64-bit integers and decimals are numbers, dates, times, GUIDs
/// and <c>byte[]</c> (base64) are strings, lists are arrays and dictionaries are <c>Record&lt;string, T&gt;</c>.
/// </remarks>
public static class TypeScriptModule
{
    // Names the module declares or uses; a type with one of these names is written by its full name.
    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "Messages", "ClientMessages", "ServerMessages", "Requests", "ReplyTo", "RequestData", "MessageType", "SwitchboardClientLike",
        "RequestOptions", "InvalidMessage", "TypedClient", "Check", "validators", "problemWith", "typed",
        "Array", "Boolean", "Date", "Error", "Function", "JSON", "Map", "Number", "Object", "Promise", "Readonly", "Record",
        "RegExp", "ReturnType", "Set", "String", "Symbol",
    };

    /// <summary>Writes the module.</summary>
    /// <param name="catalog">The messages.</param>
    /// <param name="source">What the module is written from, named in its first line, e.g. the assembly's name.</param>
    /// <returns>The module's text, with <c>\n</c> line ends.</returns>
    public static string Write(MessageCatalog catalog, string source)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(source);
        var shapes = new List<ShapeDescriptor>();
        foreach (var message in catalog.Messages)
        {
            Collect(message.Data, shapes);
        }

        var names = Names(shapes);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"// The Switchboard messages of {source}, written from its message catalogue by the build: edits are overwritten.\n");
        text.Append("// Types, runtime validators for incoming data, and typed(client, onInvalid) over a Switchboard client.\n");
        text.Append("/* eslint-disable */\n");

        foreach (var shape in shapes)
        {
            text.Append('\n');
            WriteType(text, shape, names);
        }

        var messages = catalog.Messages;
        text.Append("\n/** Every message: wire name to the type of its data. */\nexport interface Messages {\n");
        foreach (var message in messages)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {Quote(message.Type)}: {names[message.Data.TypeName!]};\n");
        }

        text.Append("}\n\n");
        text.Append("""
            /** The wire name of a message. */
            export type MessageType = keyof Messages;

            """);
        text.Append("\n/** What a client may send with send(): every message that is not a request or an error. */\nexport interface ClientMessages {\n");
        AppendEntries(text, messages.Where(m => m.Kind == MessageKind.Message), names);
        text.Append("}\n\n/** What a client may receive with on(): every message that is not a request or an error (errors come as replies). */\nexport interface ServerMessages {\n");
        AppendEntries(text, messages.Where(m => m.Kind == MessageKind.Message), names);
        text.Append("""
            }

            /**
             * Requests: wire name to the data sent (`request`) and the possible replies (`replies`: wire name to data, the
             * response and the typed errors). The built-in failure (switchboard.failure) rejects the client's request().
             */
            export interface Requests {

            """);
        foreach (var request in messages.Where(m => m.Kind == MessageKind.Request))
        {
            text.Append(CultureInfo.InvariantCulture, $"  {Quote(request.Type)}: {{\n    request: {names[request.Data.TypeName!]};\n    replies: {{\n");
            foreach (var reply in (request.Response is null ? Array.Empty<string>() : [request.Response]).Concat(request.Errors))
            {
                var data = catalog.TryGet(reply, out var known) ? names[known.Data.TypeName!] : "unknown";
                text.Append(CultureInfo.InvariantCulture, $"      {Quote(reply)}: {data};\n");
            }

            text.Append("    };\n  };\n");
        }

        text.Append("""
            }

            /** The reply to a request of type K: one of its replies, told apart by `type`. */
            export type ReplyTo<K extends keyof Requests> = Requests[K] extends { replies: infer R }
              ? { [T in keyof R]: { readonly type: T; readonly data: R[T] } }[keyof R]
              : never;

            /** The data a request of type K sends. */
            export type RequestData<K extends keyof Requests> = Requests[K] extends { request: infer Q } ? Q : never;

            /** The part of a Switchboard client (switchboard-client) the typed wrapper uses. */
            export interface SwitchboardClientLike {
              send(type: string, data: unknown): unknown;
              on(type: string, handler: (data: unknown) => void): unknown;
              request?(type: string, data: unknown, options?: RequestOptions): Promise<{ type: string; data: unknown }>;
            }

            /** Options of a request, passed on to the client's request(). */
            export interface RequestOptions {
              /** Milliseconds to wait for the reply. */
              readonly timeout?: number;
              /** An AbortSignal that cancels the request. */
              readonly signal?: unknown;
            }

            /** A message whose data does not match its type: reported, not delivered. */
            export interface InvalidMessage {
              readonly type: string;
              readonly data: unknown;
              /** Where and how it does not match, e.g. "data.sentAt: expected a string". */
              readonly problem: string;
            }

            /** A client whose send, on and request are keyed by wire name and typed by the message's data. */
            export interface TypedClient<C extends SwitchboardClientLike> {
              readonly client: C;
              send<K extends keyof ClientMessages>(type: K, data: ClientMessages[K]): ReturnType<C["send"]>;
              on<K extends keyof ServerMessages>(type: K, handler: (data: ServerMessages[K]) => void): ReturnType<C["on"]>;
              request<K extends keyof Requests>(type: K, data: RequestData<K>, options?: RequestOptions): Promise<ReplyTo<K>>;
            }

            type Check = (value: unknown, path: string) => string | undefined;

            function isRecord(value: unknown): value is Record<string, unknown> {
              return typeof value === "object" && value !== null && !Array.isArray(value);
            }

            function describe(value: unknown): string {
              return value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
            }

            function checkBoolean(value: unknown, path: string): string | undefined {
              return typeof value === "boolean" ? undefined : `${path}: expected true or false, got ${describe(value)}`;
            }

            function checkString(value: unknown, path: string): string | undefined {
              return typeof value === "string" ? undefined : `${path}: expected a string, got ${describe(value)}`;
            }

            function checkPattern(pattern: RegExp, what: string): Check {
              return (value, path) => typeof value === "string" && pattern.test(value) ? undefined : `${path}: expected ${what}`;
            }

            function checkNumber(value: unknown, path: string): string | undefined {
              return typeof value === "number" && Number.isFinite(value) ? undefined : `${path}: expected a finite number, got ${describe(value)}`;
            }

            function checkInteger(minimum: number, maximum: number): Check {
              return (value, path) => typeof value === "number" && Number.isInteger(value) && value >= minimum && value <= maximum
                ? undefined
                : `${path}: expected an integer from ${minimum} to ${maximum}`;
            }

            function checkNullable(check: Check): Check {
              return (value, path) => value === null ? undefined : check(value, path);
            }

            function checkArray(check: Check): Check {
              return (value, path) => {
                if (!Array.isArray(value)) return `${path}: expected an array, got ${describe(value)}`;
                for (let i = 0; i < value.length; i++) {
                  const problem = check(value[i], `${path}[${i}]`);
                  if (problem !== undefined) return problem;
                }
                return undefined;
              };
            }

            function checkMap(check: Check): Check {
              return (value, path) => {
                if (!isRecord(value)) return `${path}: expected an object, got ${describe(value)}`;
                for (const key of Object.keys(value)) {
                  const problem = check(value[key], `${path}[${JSON.stringify(key)}]`);
                  if (problem !== undefined) return problem;
                }
                return undefined;
              };
            }

            function checkEnum(members: readonly string[], flags: boolean): Check {
              return (value, path) => typeof value === "string" && (flags ? value.split(", ") : [value]).every((m) => members.includes(m))
                ? undefined
                : `${path}: expected ${flags ? "a comma-separated list" : "one"} of ${members.map((m) => JSON.stringify(m)).join(", ")}`;
            }

            function checkObject(value: unknown, path: string, fields: readonly (readonly [string, Check, boolean])[]): string | undefined {
              if (!isRecord(value)) return `${path}: expected an object, got ${describe(value)}`;
              for (const [name, check, required] of fields) {
                if (!Object.prototype.hasOwnProperty.call(value, name)) {
                  if (required) return `${path}.${name}: missing`;
                  continue;
                }
                const problem = check(value[name], `${path}.${name}`);
                if (problem !== undefined) return problem;
              }
              return undefined;
            }

            """);
        text.Append('\n');

        foreach (var shape in shapes.Where(s => s.Kind == ShapeKind.Object))
        {
            text.Append(CultureInfo.InvariantCulture, $"function validate{names[shape.TypeName!]}(value: unknown, path: string): string | undefined {{\n");
            text.Append("  return checkObject(value, path, [\n");
            foreach (var field in shape.Fields)
            {
                text.Append(CultureInfo.InvariantCulture, $"    [{Quote(field.Name)}, {Check(field.Shape, names)}, {(field.Required ? "true" : "false")}],\n");
            }

            text.Append("  ]);\n}\n\n");
        }

        text.Append("/** Validators of data by wire name: undefined when the data matches, else the problem. */\n");
        text.Append("export const validators: { readonly [K in keyof Messages]: (data: unknown) => string | undefined } = {\n");
        foreach (var message in messages)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {Quote(message.Type)}: (data) => validate{names[message.Data.TypeName!]}(data, \"data\"),\n");
        }

        text.Append("};\n\n");
        text.Append("""
            /** Why the data of a message of `type` does not match its type, or undefined when it does (or the type is unknown). */
            export function problemWith(type: string, data: unknown): string | undefined {
              return Object.prototype.hasOwnProperty.call(validators, type) ? validators[type as keyof Messages](data) : undefined;
            }

            /**
             * Wraps a Switchboard client: send, on and request accept only known wire names and their data types. Incoming data is
             * checked first; data that does not match its type goes to `onInvalid` instead of the handler (for a reply to a
             * request, the promise also rejects).
             */
            export function typed<C extends SwitchboardClientLike>(client: C, onInvalid: (message: InvalidMessage) => void): TypedClient<C> {
              return {
                client,
                send<K extends keyof ClientMessages>(type: K, data: ClientMessages[K]): ReturnType<C["send"]> {
                  return client.send(type, data) as ReturnType<C["send"]>;
                },
                on<K extends keyof ServerMessages>(type: K, handler: (data: ServerMessages[K]) => void): ReturnType<C["on"]> {
                  const check = validators[type];
                  return client.on(type, (data: unknown) => {
                    const problem = check(data);
                    if (problem === undefined) handler(data as ServerMessages[K]);
                    else onInvalid({ type, data, problem });
                  }) as ReturnType<C["on"]>;
                },
                async request<K extends keyof Requests>(type: K, data: RequestData<K>, options?: RequestOptions): Promise<ReplyTo<K>> {
                  if (client.request === undefined) throw new Error(`Switchboard: the client has no request() for "${String(type)}"`);
                  const reply = await client.request(type as string, data, options);
                  const problem = problemWith(reply.type, reply.data);
                  if (problem !== undefined) {
                    onInvalid({ type: reply.type, data: reply.data, problem });
                    throw new Error(`Switchboard: the reply ${reply.type} to ${String(type)} does not match its type: ${problem}`);
                  }
                  return reply as ReplyTo<K>;
                },
              };
            }

            """);
        return text.ToString();
    }

    private static void AppendEntries(StringBuilder text, IEnumerable<MessageDescriptor> messages, Dictionary<string, string> names)
    {
        foreach (var message in messages)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {Quote(message.Type)}: {names[message.Data.TypeName!]};\n");
        }
    }

    private static void WriteType(StringBuilder text, ShapeDescriptor shape, Dictionary<string, string> names)
    {
        var name = names[shape.TypeName!];
        if (shape.Kind == ShapeKind.Enum)
        {
            var members = string.Join(" | ", shape.EnumMembers.Select(Quote));
            if (shape.IsFlags)
            {
                text.Append(CultureInfo.InvariantCulture, $"/** {shape.TypeName} (flags): one of {members}, or several separated by \", \". */\n");
                text.Append(CultureInfo.InvariantCulture, $"export type {name} = string;\n");
            }
            else
            {
                text.Append(CultureInfo.InvariantCulture, $"/** {shape.TypeName} */\n");
                text.Append(CultureInfo.InvariantCulture, $"export type {name} = {(members.Length == 0 ? "never" : members)};\n");
            }

            return;
        }

        text.Append(CultureInfo.InvariantCulture, $"/** {shape.TypeName} */\n");
        text.Append(CultureInfo.InvariantCulture, $"export interface {name} {{\n");
        foreach (var field in shape.Fields)
        {
            if (Note(field.Shape) is { } note)
            {
                text.Append(CultureInfo.InvariantCulture, $"  /** {note} */\n");
            }

            text.Append(CultureInfo.InvariantCulture, $"  {Key(field.Name)}{(field.Required ? "" : "?")}: {Type(field.Shape, names)};\n");
        }

        text.Append("}\n");
    }

    private static string Type(ShapeDescriptor shape, Dictionary<string, string> names) => shape.Kind switch
    {
        ShapeKind.Object or ShapeKind.Enum => names[shape.TypeName!],
        ShapeKind.Nullable => Type(shape.Element!, names) + " | null",
        ShapeKind.Array => shape.Element!.Kind == ShapeKind.Nullable ? $"({Type(shape.Element, names)})[]" : Type(shape.Element, names) + "[]",
        ShapeKind.Dictionary => $"Record<string, {Type(shape.Element!, names)}>",
        ShapeKind.Boolean => "boolean",
        ShapeKind.Byte or ShapeKind.SByte or ShapeKind.Int16 or ShapeKind.UInt16 or ShapeKind.Int32 or ShapeKind.UInt32
            or ShapeKind.Int64 or ShapeKind.UInt64 or ShapeKind.Single or ShapeKind.Double or ShapeKind.Decimal => "number",
        _ => "string",
    };

    /// <summary>What a TypeScript type does not say about the value: its range or format.</summary>
    private static string? Note(ShapeDescriptor shape)
    {
        while (shape.Kind is ShapeKind.Nullable or ShapeKind.Array or ShapeKind.Dictionary)
        {
            shape = shape.Element!;
        }

        return shape.Kind switch
        {
            ShapeKind.Byte or ShapeKind.SByte or ShapeKind.Int16 or ShapeKind.UInt16 or ShapeKind.UInt32 =>
                $"{ShapeName(shape)}: an integer from {JsonShapeRules.IntegerRange(shape.Kind).Minimum} to {JsonShapeRules.IntegerRange(shape.Kind).Maximum}.",
            ShapeKind.Int64 or ShapeKind.UInt64 => $"{ShapeName(shape)}: exact up to 2^53 in JavaScript.",
            ShapeKind.Decimal => "decimal: a JSON number, read as a double in JavaScript.",
            ShapeKind.Char => "char: a string of one UTF-16 code unit.",
            ShapeKind.Guid => "guid: 00000000-0000-0000-0000-000000000000.",
            ShapeKind.DateTime or ShapeKind.DateTimeOffset => $"{ShapeName(shape)}: an ISO 8601 date and time.",
            ShapeKind.DateOnly => "date: yyyy-MM-dd.",
            ShapeKind.Int32 => null,
            ShapeKind.TimeOnly => "time: hh:mm:ss[.fffffff].",
            ShapeKind.TimeSpan => "timespan: [-][d.]hh:mm:ss[.fffffff].",
            ShapeKind.Bytes => "byte[]: base64.",
            _ => null,
        };
    }

    private static string ShapeName(ShapeDescriptor shape) => shape.ToString();

    private static string Check(ShapeDescriptor shape, Dictionary<string, string> names) => shape.Kind switch
    {
        ShapeKind.Object => "validate" + names[shape.TypeName!],
        ShapeKind.Enum => $"checkEnum([{string.Join(", ", shape.EnumMembers.Select(Quote))}], {(shape.IsFlags ? "true" : "false")})",
        ShapeKind.Nullable => $"checkNullable({Check(shape.Element!, names)})",
        ShapeKind.Array => $"checkArray({Check(shape.Element!, names)})",
        ShapeKind.Dictionary => $"checkMap({Check(shape.Element!, names)})",
        ShapeKind.Boolean => "checkBoolean",
        ShapeKind.Byte or ShapeKind.SByte or ShapeKind.Int16 or ShapeKind.UInt16 or ShapeKind.Int32 or ShapeKind.UInt32 =>
            string.Create(CultureInfo.InvariantCulture, $"checkInteger({JsonShapeRules.IntegerRange(shape.Kind).Minimum}, {JsonShapeRules.IntegerRange(shape.Kind).Maximum})"),
        ShapeKind.Int64 => "checkInteger(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)",
        ShapeKind.UInt64 => "checkInteger(0, Number.MAX_SAFE_INTEGER)",
        ShapeKind.Single or ShapeKind.Double or ShapeKind.Decimal => "checkNumber",
        ShapeKind.Char => "checkPattern(/^[\\s\\S]$/, \"one character\")",
        ShapeKind.Guid => "checkPattern(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, \"a GUID\")",
        ShapeKind.DateTime or ShapeKind.DateTimeOffset => "checkPattern(/^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}/, \"an ISO 8601 date and time\")",
        ShapeKind.DateOnly => "checkPattern(/^\\d{4}-\\d{2}-\\d{2}$/, \"a date yyyy-MM-dd\")",
        ShapeKind.TimeOnly => $"checkPattern(/{JsonShapeRules.TimeOnlyPattern}/, \"a time hh:mm:ss\")",
        ShapeKind.TimeSpan => $"checkPattern(/{JsonShapeRules.TimeSpanPattern}/, \"a time span [-][d.]hh:mm:ss\")",
        ShapeKind.Bytes => "checkPattern(/^[A-Za-z0-9+/]*={0,2}$/, \"base64\")",
        _ => "checkString",
    };

    /// <summary>Every object and enum, each once, in the order the messages reach them (a message before its fields' types).</summary>
    private static void Collect(ShapeDescriptor shape, List<ShapeDescriptor> shapes)
    {
        while (shape.Element is { } element)
        {
            shape = element;
        }

        if (shape.Kind is not (ShapeKind.Object or ShapeKind.Enum) || shapes.Exists(s => s.TypeName == shape.TypeName))
        {
            return;
        }

        shapes.Add(shape);
        foreach (var field in shape.Fields)
        {
            Collect(field.Shape, shapes);
        }
    }

    /// <summary>
    /// A TypeScript name per CLR name: the simple name (<c>Chat.SendChat</c> is <c>SendChat</c>), or the whole name with
    /// '_' for other characters when two types share a simple name or it is one the module declares.
    /// </summary>
    private static Dictionary<string, string> Names(List<ShapeDescriptor> shapes)
    {
        var simple = shapes.ToDictionary(s => s.TypeName!, s => Identifier(SimpleName(s.TypeName!)), StringComparer.Ordinal);
        var counts = simple.Values.GroupBy(n => n, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return simple.ToDictionary(
            p => p.Key,
            p => counts[p.Value] == 1 && !Reserved.Contains(p.Value) ? p.Value : Identifier(p.Key),
            StringComparer.Ordinal);
    }

    private static string SimpleName(string typeName)
    {
        int depth = 0;
        for (int i = typeName.Length - 1; i >= 0; i--)
        {
            depth += typeName[i] switch { '>' => 1, '<' => -1, _ => 0 };
            if (depth == 0 && typeName[i] == '.')
            {
                return typeName[(i + 1)..];
            }
        }

        return typeName;
    }

    private static string Identifier(string name)
    {
        var id = new StringBuilder(name.Length);
        foreach (char c in name)
        {
            id.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '$' ? c : '_');
        }

        var text = id.ToString().TrimEnd('_');
        return text.Length == 0 || char.IsAsciiDigit(text[0]) ? "_" + text : text;
    }

    private static string Key(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '$') ? name : Quote(name);

    private static string Quote(string text) => "\"" + JsonEncodedText.Encode(text, JavaScriptEncoder.UnsafeRelaxedJsonEscaping) + "\"";
}
