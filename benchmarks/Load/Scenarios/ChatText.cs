using System.Text;

namespace Switchboard.Benchmarks.Load.Scenarios;

/// <summary>
/// What the chat's messages say: sentences of common chat words and the users who write them. Drawn from a seeded
/// <see cref="Random"/>, so every server and every case gets the same texts; no character of them is escaped in JSON.
/// </summary>
internal static class ChatText
{
    private static readonly string[] Words =
    [
        "the", "a", "to", "and", "is", "it", "you", "that", "in", "we", "for", "on", "this", "with", "be", "are", "have", "not",
        "meeting", "today", "tomorrow", "deploy", "review", "thanks", "sure", "sounds", "good", "lunch", "build", "release",
        "branch", "fixed", "broken", "weekend", "coffee", "later", "morning", "afternoon", "ticket", "customer", "call",
        "can", "someone", "look", "at", "please", "done", "merged", "waiting", "for", "approval", "ok", "great", "idea",
    ];

    private static readonly string[] Users = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"];

    public static string User(Random random) => Users[random.Next(Users.Length)];

    /// <summary>Words up to <paramref name="length"/> characters (one fewer when a word's space ends them), capitalized, and a full stop.</summary>
    public static string Sentence(Random random, int length)
    {
        if (length <= 0) return ".";
        var text = new StringBuilder(length + 16);
        while (text.Length < length) text.Append(Words[random.Next(Words.Length)]).Append(' ');
        text.Length = length;
        text[0] = char.ToUpperInvariant(text[0]);
        return text.ToString().TrimEnd() + ".";
    }
}
