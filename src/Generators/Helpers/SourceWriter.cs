using System;
using System.Text;

namespace Switchboard.Generators.Helpers;

/// <summary>Builds C# source with indentation; every line ends with <c>\n</c> whatever the platform.</summary>
internal sealed class SourceWriter
{
    private const string IndentUnit = "    ";

    private readonly StringBuilder _text = new();
    private int _indentation;

    /// <summary>Writes text, indenting every line of it; blank lines stay empty.</summary>
    public void WriteLine(string text)
    {
        foreach (var line in text.Replace("\r\n", "\n").Split('\n'))
        {
            if (line.Length > 0)
            {
                for (int i = 0; i < _indentation; i++)
                {
                    _text.Append(IndentUnit);
                }

                _text.Append(line);
            }

            _text.Append('\n');
        }
    }

    public void WriteLine() => _text.Append('\n');

    /// <summary>Writes <c>{</c> and indents.</summary>
    public void OpenBlock()
    {
        WriteLine("{");
        _indentation++;
    }

    /// <summary>Unindents and writes <c>}</c>, followed by <paramref name="suffix"/> (e.g. <c>;</c>).</summary>
    public void CloseBlock(string suffix = "")
    {
        Unindent();
        WriteLine("}" + suffix);
    }

    /// <summary>Indents what follows, for a block whose <c>{</c> was written as text.</summary>
    public void Indent() => _indentation++;

    public void Unindent()
    {
        _indentation--;
        if (_indentation < 0)
        {
            throw new InvalidOperationException("Unbalanced blocks.");
        }
    }

    public override string ToString() => _text.ToString();
}
