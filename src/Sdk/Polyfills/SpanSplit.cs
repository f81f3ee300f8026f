#if !NET9_0_OR_GREATER
namespace System;

/// <summary>net8.0 stand-in for .NET 9's <c>MemoryExtensions.Split(ReadOnlySpan&lt;char&gt;, char)</c>.</summary>
internal static class SpanSplitExtensions
{
    /// <summary>The ranges of <paramref name="source"/> between occurrences of <paramref name="separator"/>.</summary>
    public static SpanSplitEnumerator Split(this ReadOnlySpan<char> source, char separator) => new(source, separator);

    /// <summary>Enumerates the ranges between separators, empty ones included, as .NET 9's enumerator does.</summary>
    public ref struct SpanSplitEnumerator
    {
        private readonly ReadOnlySpan<char> _source;
        private readonly char _separator;
        private int _next;
        private bool _done;

        internal SpanSplitEnumerator(ReadOnlySpan<char> source, char separator)
        {
            _source = source;
            _separator = separator;
        }

        /// <summary>The current range.</summary>
        public Range Current { get; private set; }

        /// <summary>Returns this enumerator.</summary>
        public readonly SpanSplitEnumerator GetEnumerator() => this;

        /// <summary>Moves to the next range.</summary>
        public bool MoveNext()
        {
            if (_done)
            {
                return false;
            }

            int index = _source[_next..].IndexOf(_separator);
            if (index < 0)
            {
                Current = _next.._source.Length;
                _done = true;
            }
            else
            {
                Current = _next..(_next + index);
                _next += index + 1;
            }

            return true;
        }
    }
}
#endif
