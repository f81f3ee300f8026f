using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Switchboard.Protocol.Compression;

/// <summary>
/// The permessage-deflate negotiation of RFC 7692 section 7 over <c>Sec-WebSocket-Extensions</c> values (RFC 6455
/// section 9.1): a server picks the first offer it can accept and declines the rest, a client builds its offer and
/// judges the server's response.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
internal static class DeflateNegotiation
{
    /// <summary>The extension's registered name.</summary>
    public const string ExtensionName = "permessage-deflate";

    // A server agrees the same few parameters with most clients: connections share one instance of each rather than
    // keep a copy apiece for their whole life. Bounded, so odd offers cannot grow it.
    private const int MaxShared = 64;
    private static readonly ConcurrentDictionary<DeflateParameters, DeflateParameters> s_agreed = new();

    private const string ServerNoContextTakeover = "server_no_context_takeover";
    private const string ClientNoContextTakeover = "client_no_context_takeover";
    private const string ServerMaxWindowBits = "server_max_window_bits";
    private const string ClientMaxWindowBits = "client_max_window_bits";

    /// <summary>
    /// The server's choice among the offers in every <c>Sec-WebSocket-Extensions</c> field of a request, in the client's
    /// order: the first permessage-deflate offer it can accept, or null to decline them all. An offer is declined when a
    /// parameter is unknown, repeated, malformed or out of range (section 7.1), or when it asks for a
    /// <c>server_max_window_bits</c> below 15, which this server's compressor cannot honour.
    /// </summary>
    /// <param name="fieldValues">The values of the request's extension fields.</param>
    /// <param name="options">What the server accepts.</param>
    /// <returns>What was agreed, including the response's extension value; null for no extension.</returns>
    public static DeflateParameters? Accept(IEnumerable<string> fieldValues, DeflateOptions options)
    {
        if (!options.Enabled)
        {
            return null;
        }

        foreach (string value in fieldValues)
        {
            foreach (Element offer in Parse(value))
            {
                if (offer.Valid && string.Equals(offer.Name, ExtensionName, StringComparison.OrdinalIgnoreCase)
                    && TryAcceptOffer(offer.Parameters, options) is { } accepted)
                {
                    return accepted;
                }
            }
        }

        return null;
    }

    /// <summary>The client's offer: <c>permessage-deflate</c> with the parameters its options ask for.</summary>
    public static string BuildOffer(DeflateOptions options)
    {
        var offer = new StringBuilder(ExtensionName);
        if (options.ServerNoContextTakeover)
        {
            offer.Append("; ").Append(ServerNoContextTakeover);
        }

        if (options.ClientNoContextTakeover)
        {
            offer.Append("; ").Append(ClientNoContextTakeover);
        }

        if (options.ServerMaxWindowBits < DeflateOptions.MaxWindowBits)
        {
            offer.Append("; ").Append(ServerMaxWindowBits).Append('=').Append(Usable(options.ServerMaxWindowBits).ToString(CultureInfo.InvariantCulture));
        }

        return offer.ToString();
    }

    /// <summary>
    /// Judges the server's response to <see cref="BuildOffer"/> (section 7.1): exactly one permessage-deflate element
    /// whose parameters are known, unrepeated, well-formed, within what was offered, and include every one the offer
    /// requires back. Anything else fails the connection.
    /// </summary>
    /// <param name="fieldValues">The values of the response's extension fields; none when the server declined.</param>
    /// <param name="options">What the client offered.</param>
    /// <param name="parameters">What was agreed, or null when the server declined.</param>
    /// <returns>False for a response the client must fail the connection on.</returns>
    public static bool TryAcceptResponse(IReadOnlyList<string> fieldValues, DeflateOptions options, out DeflateParameters? parameters)
    {
        parameters = null;
        Element? only = null;
        foreach (string value in fieldValues)
        {
            foreach (Element element in Parse(value))
            {
                if (only is not null || !element.Valid || !options.Enabled
                    || !string.Equals(element.Name, ExtensionName, StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }

                only = element;
            }
        }

        if (only is not { } response)
        {
            return true;
        }

        // client_max_window_bits is never offered, so the server may not send it (section 7.1.2.2).
        if (ReadParameters(response.Parameters) is not { ClientBitsNamed: false } read)
        {
            return false;
        }

        // Sections 7.1.1.1 and 7.1.2.1: a server that accepts the offer includes what it was asked for.
        if ((options.ServerNoContextTakeover && !read.ServerNoContext)
            || (options.ServerMaxWindowBits < DeflateOptions.MaxWindowBits && (read.ServerBits is null || read.ServerBits > Usable(options.ServerMaxWindowBits))))
        {
            return false;
        }

        parameters = new DeflateParameters
        {
            ServerNoContextTakeover = read.ServerNoContext,
            ClientNoContextTakeover = read.ClientNoContext || options.ClientNoContextTakeover,
            ServerMaxWindowBits = read.ServerBits ?? DeflateOptions.MaxWindowBits,
            MinimumSize = options.MinimumSize,
            Level = options.Level,
            Extension = string.Join(", ", fieldValues),
        };
        return true;
    }

    private static DeflateParameters? TryAcceptOffer(List<(string Name, string? Value)> offered, DeflateOptions options)
    {
        if (ReadParameters(offered) is not { } read)
        {
            return null;
        }

        if (read.ServerBits < DeflateOptions.MaxWindowBits)
        {
            return null;
        }

        bool serverNoContext = read.ServerNoContext || options.ServerNoContextTakeover;
        bool clientNoContext = read.ClientNoContext || options.ClientNoContextTakeover;
        var response = new StringBuilder(ExtensionName);
        if (serverNoContext)
        {
            response.Append("; ").Append(ServerNoContextTakeover);
        }

        if (clientNoContext)
        {
            response.Append("; ").Append(ClientNoContextTakeover);
        }

        if (read.ServerBits is not null)
        {
            response.Append("; ").Append(ServerMaxWindowBits).Append("=15");
        }

        int clientWindow = read.ClientBits ?? DeflateOptions.MaxWindowBits;
        if (read.ClientBitsNamed && Usable(options.ClientMaxWindowBits) < clientWindow)
        {
            clientWindow = Usable(options.ClientMaxWindowBits);
            response.Append("; ").Append(ClientMaxWindowBits).Append('=').Append(clientWindow.ToString(CultureInfo.InvariantCulture));
        }

        return Shared(new DeflateParameters
        {
            ServerNoContextTakeover = serverNoContext,
            ClientNoContextTakeover = clientNoContext,
            ServerMaxWindowBits = DeflateOptions.MaxWindowBits,
            ClientMaxWindowBits = clientWindow,
            MinimumSize = options.MinimumSize,
            Level = options.Level,
            Extension = response.ToString(),
        });
    }

    /// <summary>The parameters of an offer or a response, or null when one is unknown, repeated or malformed (section 7.1).</summary>
    private static Parameters? ReadParameters(List<(string Name, string? Value)> parameters)
    {
        var read = default(Parameters);
        foreach (var (name, argument) in parameters)
        {
            switch (name.ToLowerInvariant())
            {
                case ServerNoContextTakeover when !read.ServerNoContext && argument is null:
                    read = read with { ServerNoContext = true };
                    break;
                case ClientNoContextTakeover when !read.ClientNoContext && argument is null:
                    read = read with { ClientNoContext = true };
                    break;
                case ServerMaxWindowBits when read.ServerBits is null && TryWindowBits(argument, out int bits):
                    read = read with { ServerBits = bits };
                    break;
                // Section 7.1.2.2: with no value, or a value of 8 to 15.
                case ClientMaxWindowBits when !read.ClientBitsNamed && argument is null:
                    read = read with { ClientBitsNamed = true };
                    break;
                case ClientMaxWindowBits when !read.ClientBitsNamed && TryWindowBits(argument, out int limit):
                    read = read with { ClientBitsNamed = true, ClientBits = limit };
                    break;
                default:
                    return null;
            }
        }

        return read;
    }

    /// <summary>What an element's parameters say; <see cref="ClientBitsNamed"/> also when client_max_window_bits has no value.</summary>
    private readonly record struct Parameters(bool ServerNoContext, bool ClientNoContext, int? ServerBits, bool ClientBitsNamed, int? ClientBits);

    private static DeflateParameters Shared(DeflateParameters agreed) =>
        s_agreed.TryGetValue(agreed, out DeflateParameters? known) ? known
        : s_agreed.Count < MaxShared ? s_agreed.GetOrAdd(agreed, agreed)
        : agreed;

    // zlib refuses raw deflate streams with an 8-bit window, so 8 is asked for as 9, as other servers do.
    private static int Usable(int windowBits) => Math.Max(windowBits, 9);

    // Section 7.1.2: 1*DIGIT from 8 to 15 with no leading zero, as a token or a quoted string.
    private static bool TryWindowBits(string? value, out int bits)
    {
        bits = 0;
        if (value is null || value.Length is 0 or > 2 || value[0] == '0' || !value.AsSpan().ContainsOnlyDigits())
        {
            return false;
        }

        bits = int.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);
        return bits is >= DeflateOptions.MinWindowBits and <= DeflateOptions.MaxWindowBits;
    }

    private static bool ContainsOnlyDigits(this ReadOnlySpan<char> value) => !value.ContainsAnyExceptInRange('0', '9');

    /// <summary>One element of an extension list: its name and parameters, or not valid when its syntax is broken.</summary>
    private readonly record struct Element(bool Valid, string Name, List<(string Name, string? Value)> Parameters);

    /// <summary>
    /// Splits a field value into its elements (RFC 6455 section 9.1: <c>name *( ";" param [ "=" (token | quoted-string) ] )</c>,
    /// comma-separated, empty elements skipped). A broken element is reported not valid and the rest still read, so one
    /// bad offer declines only itself.
    /// </summary>
    private static List<Element> Parse(string value)
    {
        var elements = new List<Element>();
        int position = 0;
        while (position < value.Length)
        {
            SkipSpace(value, ref position);
            if (position < value.Length && value[position] == ',')
            {
                position++;
                continue;
            }

            if (position >= value.Length)
            {
                break;
            }

            bool valid = TryParseElement(value, ref position, out string name, out var parameters);
            if (!valid)
            {
                SkipElement(value, ref position);
            }

            elements.Add(new Element(valid, name, parameters));
        }

        return elements;
    }

    private static bool TryParseElement(string value, ref int position, out string name, out List<(string Name, string? Value)> parameters)
    {
        parameters = [];
        name = ReadToken(value, ref position);
        if (name.Length == 0)
        {
            return false;
        }

        while (true)
        {
            SkipSpace(value, ref position);
            if (position >= value.Length || value[position] == ',')
            {
                return true;
            }

            if (value[position] != ';')
            {
                return false;
            }

            position++;
            SkipSpace(value, ref position);
            string parameter = ReadToken(value, ref position);
            if (parameter.Length == 0)
            {
                return false;
            }

            SkipSpace(value, ref position);
            string? argument = null;
            if (position < value.Length && value[position] == '=')
            {
                position++;
                SkipSpace(value, ref position);
                argument = position < value.Length && value[position] == '"' ? ReadQuoted(value, ref position) : ReadToken(value, ref position);
                // Section 9.1: a quoted value, once unquoted, must still be a token.
                if (argument is null || !Http.HttpSyntax.IsToken(argument))
                {
                    return false;
                }
            }

            parameters.Add((parameter, argument));
        }
    }

    private static string ReadToken(string value, ref int position)
    {
        int start = position;
        while (position < value.Length && value[position] is not (',' or ';' or '=' or ' ' or '\t' or '"'))
        {
            position++;
        }

        string token = value[start..position];
        return Http.HttpSyntax.IsToken(token) ? token : string.Empty;
    }

    private static string? ReadQuoted(string value, ref int position)
    {
        var text = new StringBuilder();
        position++;
        while (position < value.Length)
        {
            char c = value[position++];
            if (c == '"')
            {
                return text.ToString();
            }

            if (c == '\\')
            {
                if (position >= value.Length)
                {
                    return null;
                }

                c = value[position++];
            }

            text.Append(c);
        }

        return null;
    }

    private static void SkipSpace(string value, ref int position)
    {
        while (position < value.Length && value[position] is ' ' or '\t')
        {
            position++;
        }
    }

    // Moves past the broken element's remaining text to the next comma outside quotes.
    private static void SkipElement(string value, ref int position)
    {
        bool quoted = false;
        while (position < value.Length)
        {
            char c = value[position];
            if (quoted && c == '\\')
            {
                position += 2;
                continue;
            }

            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                return;
            }

            position++;
        }
    }
}
