using System.Collections.Immutable;

namespace CausalQL.Text;

/// <summary>The text of one script, with the file name diagnostics should show and a line index.</summary>
public sealed class SourceText
{
    readonly ImmutableArray<int> _lineStarts;

    public SourceText(string text, string fileName = "<input>")
    {
        Text = text;
        FileName = fileName;
        var starts = ImmutableArray.CreateBuilder<int>();
        starts.Add(0);
        for (var i = 0; i < text.Length; i++)
            if (text[i] == '\n') starts.Add(i + 1);
        _lineStarts = starts.ToImmutable();
    }

    public string Text { get; }
    public string FileName { get; }
    public int LineCount => _lineStarts.Length;

    /// <summary>1-based line and column of a 0-based character offset (clamped to the text).</summary>
    public (int Line, int Column) LineColumn(int offset)
    {
        offset = Math.Clamp(offset, 0, Text.Length);
        var index = _lineStarts.BinarySearch(offset);
        var line = index >= 0 ? index : ~index - 1;
        return (line + 1, offset - _lineStarts[line] + 1);
    }

    /// <summary>The text of a 1-based line, without its line break.</summary>
    public string Line(int line)
    {
        if (line < 1 || line > _lineStarts.Length) return "";
        var start = _lineStarts[line - 1];
        var end = line < _lineStarts.Length ? _lineStarts[line] : Text.Length;
        return Text[start..end].TrimEnd('\n', '\r');
    }

    public Location Location(TextSpan span)
    {
        var (line, column) = LineColumn(span.Start);
        return new Location(FileName, line, column, span);
    }
}

/// <summary>A half-open range of character offsets in a <see cref="SourceText"/>.</summary>
public readonly record struct TextSpan(int Start, int Length)
{
    public int End => Start + Length;
    public static TextSpan FromBounds(int start, int end) => new(start, Math.Max(0, end - start));
    public static readonly TextSpan None = new(0, 0);
    public TextSpan Cover(TextSpan other) => FromBounds(Math.Min(Start, other.Start), Math.Max(End, other.End));
}

/// <summary>Where a diagnostic points: file, 1-based line and column, and the span it covers.</summary>
public sealed record Location(string File, int Line, int Column, TextSpan Span)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}
