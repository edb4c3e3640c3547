using System.Text;
using CausalQL.Binding;

namespace CausalQL.Cli;

/// <summary>Reads text files strictly as UTF-8: a file that is not UTF-8 is an error naming the byte, never mojibake.</summary>
public static class SourceFiles
{
    static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public abstract record ReadResult;
    public sealed record Read(string Text) : ReadResult;
    public sealed record NotFound(string Message) : ReadResult;
    public sealed record Unreadable(string Message) : ReadResult;

    public static ReadResult ReadUtf8(string path)
    {
        byte[] bytes;
        try
        {
            if (Directory.Exists(path)) return new NotFound($"'{path}' is a directory, not a file");
            if (!File.Exists(path)) return new NotFound($"no such file: '{path}'");
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return new Unreadable($"cannot read '{path}': {e.Message}");
        }
        return Decode(bytes, path);
    }

    public static ReadResult Decode(byte[] bytes, string name)
    {
        var start = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
        if (FirstInvalidByte(bytes, start) is { } offset)
            return new Unreadable($"'{name}' is not valid UTF-8: bad byte 0x{bytes[offset]:X2} at byte offset {offset}");
        return new Read(Strict.GetString(bytes, start, bytes.Length - start));
    }

    /// <summary>The offset of the first byte that does not belong to a well-formed UTF-8 sequence, or null.</summary>
    static int? FirstInvalidByte(byte[] bytes, int start)
    {
        var decoder = Strict.GetDecoder();
        var chars = new char[4096];
        // Decode in slices so the failing offset is known without decoding twice; a slice boundary
        // may split a sequence, which the decoder carries over.
        const int slice = 4096;
        for (var i = start; i < bytes.Length; i += slice)
        {
            var count = Math.Min(slice, bytes.Length - i);
            try
            {
                decoder.GetChars(bytes, i, count, chars, 0, flush: i + count >= bytes.Length);
            }
            catch (DecoderFallbackException e)
            {
                // e.Index is relative to this slice; negative when the bad sequence began in the previous slice.
                return Math.Max(start, i + e.Index);
            }
        }
        return null;
    }
}

/// <summary>The disk as Core's <see cref="IFileReader"/>: relative paths resolve against the directory of the script naming them.</summary>
public sealed class DiskFileReader : IFileReader
{
    public FileReadResult ReadText(string path, string relativeTo) =>
        SourceFiles.ReadUtf8(Resolve(path, relativeTo)) switch
        {
            SourceFiles.Read r => new FileText(r.Text, Resolve(path, relativeTo)),
            SourceFiles.NotFound => new FileError("no such file"),
            SourceFiles.Unreadable u => new FileError(u.Message),
            _ => new FileError("unreadable"),
        };

    public bool Exists(string path, string relativeTo) => File.Exists(Resolve(path, relativeTo));

    public string Resolve(string path, string relativeTo)
    {
        try
        {
            if (Path.IsPathRooted(path)) return path;
        }
        catch (ArgumentException) { return path; }
        // Scripts given as real files resolve beside themselves; "<repl>" and "<stdin>" resolve from the working directory.
        var baseDirectory = relativeTo.StartsWith('<') ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(Path.GetFullPath(relativeTo)) ?? ".";
        try { return Path.GetFullPath(Path.Combine(baseDirectory, path)); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException) { return path; }
    }
}
