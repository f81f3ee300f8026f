using System.Text.Unicode;

namespace Switchboard.Protocol.Framing;

/// <summary>
/// Incremental UTF-8 validation (RFC 3629: no overlong forms, no surrogates U+D800-U+DFFF,
/// nothing above U+10FFFF) over chunks that may split a code point, as a text message arrives
/// in fragments (RFC 6455 section 8.1).
/// </summary>
/// <remarks>
/// Fails fast: <see cref="TryAppend"/> returns false as soon as the bytes seen so far cannot start
/// any valid UTF-8 text, even in the middle of a code point. Complete runs are checked by the
/// vectorized <see cref="Utf8.IsValid(ReadOnlySpan{byte})"/>; only a code point split across
/// chunks goes through the byte-wise state machine. A mutable struct: keep it in a field or a
/// local and never copy it mid-message. Not thread-safe.
/// </remarks>
public struct Utf8Validator
{
    private const byte Failed = 0xFF;

    // Continuation bytes still owed by the pending code point, or Failed.
    private byte _needed;

    // Bounds for the next continuation byte; the first one after a lead byte is narrower to
    // exclude overlong forms, surrogates and code points above U+10FFFF (RFC 3629 section 4).
    private byte _lower;
    private byte _upper;

    /// <summary>True when no code point is pending and nothing invalid was seen: the text may end here.</summary>
    public readonly bool IsComplete => _needed == 0;

    /// <summary>Appends the next chunk of the text.</summary>
    /// <param name="chunk">The bytes that follow those already appended.</param>
    /// <returns>
    /// False when the bytes so far cannot be a prefix of valid UTF-8; the validator then stays
    /// failed until <see cref="Reset"/>. True otherwise, even if a code point is still incomplete.
    /// </returns>
    public bool TryAppend(ReadOnlySpan<byte> chunk)
    {
        if (_needed != 0)
        {
            if (_needed == Failed)
            {
                return false;
            }

            // Finish the code point that the previous chunk left open.
            int i = 0;
            while (_needed != 0 && i < chunk.Length)
            {
                if (!Step(chunk[i++]))
                {
                    return false;
                }
            }

            chunk = chunk[i..];
        }

        int tail = IncompleteTailStart(chunk);
        if (!Utf8.IsValid(chunk[..tail]))
        {
            _needed = Failed;
            return false;
        }

        foreach (byte b in chunk[tail..])
        {
            if (!Step(b))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Forgets all state, ready for a new text.</summary>
    public void Reset() => this = default;

    // Where the code point that runs past the end of the chunk begins, or chunk.Length when the
    // chunk ends on a boundary (or is invalid in a way the bulk check will catch).
    private static int IncompleteTailStart(ReadOnlySpan<byte> chunk)
    {
        int stop = Math.Max(0, chunk.Length - 3);
        for (int j = chunk.Length - 1; j >= stop; j--)
        {
            byte b = chunk[j];
            if ((b & 0xC0) == 0x80)
            {
                continue;
            }

            int sequenceLength = b switch
            {
                >= 0xF0 => 4,
                >= 0xE0 => 3,
                >= 0xC0 => 2,
                _ => 1,
            };
            return chunk.Length - j < sequenceLength ? j : chunk.Length;
        }

        return chunk.Length;
    }

    private bool Step(byte b)
    {
        if (_needed == 0)
        {
            return Lead(b);
        }

        if (b < _lower || b > _upper)
        {
            _needed = Failed;
            return false;
        }

        _lower = 0x80;
        _upper = 0xBF;
        _needed--;
        return true;
    }

    private bool Lead(byte b)
    {
        (byte needed, byte lower, byte upper) = b switch
        {
            < 0x80 => ((byte)0, (byte)0, (byte)0),
            >= 0xC2 and <= 0xDF => ((byte)1, (byte)0x80, (byte)0xBF),
            0xE0 => ((byte)2, (byte)0xA0, (byte)0xBF),
            0xED => ((byte)2, (byte)0x80, (byte)0x9F),
            >= 0xE1 and <= 0xEF => ((byte)2, (byte)0x80, (byte)0xBF),
            0xF0 => ((byte)3, (byte)0x90, (byte)0xBF),
            >= 0xF1 and <= 0xF3 => ((byte)3, (byte)0x80, (byte)0xBF),
            0xF4 => ((byte)3, (byte)0x80, (byte)0x8F),
            _ => (Failed, (byte)0, (byte)0),
        };
        _needed = needed;
        _lower = lower;
        _upper = upper;
        return needed != Failed;
    }
}
