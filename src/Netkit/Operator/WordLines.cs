namespace Netkit.Operator;

/// <summary>
/// The lines of a piped stdin as raw bytes, each the word for one chunk: split at <c>\n</c>, a
/// trailing <c>\r</c> dropped (as Python's <c>input()</c> does), nothing decoded — so a word is
/// sent byte for byte, and a stdin that happens to start like a UTF-16 byte-order mark is not read
/// as UTF-16. Memory is bounded: one buffer of <see cref="MaxLength"/> bytes. A longer line is not
/// a word: it is skipped up to its newline and reported. A line past <see cref="GiveUpLength"/>
/// (<c>&lt;/dev/zero</c>, a binary file) means stdin is not words at all: an
/// <see cref="InvalidDataException"/>, rather than reading on at full speed forever.
/// </summary>
internal sealed class WordLines(Stream input)
{
    /// <summary>The longest word, in bytes (64 KiB).</summary>
    public const int MaxLength = 64 * 1024;

    /// <summary>How long a line may grow before stdin is taken for something other than words (1 MiB).</summary>
    public const int GiveUpLength = 16 * MaxLength;

    // Room for a longest word and its "\r\n".
    private readonly byte[] _buffer = new byte[MaxLength + 2];
    private int _start;
    private int _end;
    private bool _ended;

    /// <summary>The next line, or null at the end of input. <paramref name="tooLong"/> is called for
    /// each line skipped because it is longer than <see cref="MaxLength"/>.</summary>
    public async Task<byte[]?> ReadLineAsync(Action tooLong, CancellationToken cancellationToken)
    {
        var skipping = false;
        long skipped = 0;
        while (true)
        {
            var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var line = _buffer.AsSpan(_start, newline);
                _start += newline + 1;
                if (skipping)
                {
                    skipping = false;
                    skipped = 0;
                    tooLong();
                    continue;
                }

                skipped = 0;
                var word = line.Length > 0 && line[^1] == '\r' ? line[..^1] : line;
                if (word.Length > MaxLength)
                {
                    tooLong();
                    continue;
                }

                return word.ToArray();
            }

            if (_ended)
            {
                var rest = _buffer.AsSpan(_start, _end - _start).ToArray();
                _start = _end;
                if (skipping || rest.Length > MaxLength)
                {
                    tooLong();
                    return null;
                }

                return rest.Length > 0 ? rest : null;
            }

            if (_end - _start == _buffer.Length)
            {
                // A whole buffer without a newline: too long for a word; drop it and read on to its end.
                skipping = true;
                skipped += _end - _start;
                _start = _end = 0;
                if (skipped >= GiveUpLength)
                {
                    throw new InvalidDataException($"a line of stdin longer than {GiveUpLength} bytes");
                }
            }
            else if (_start > 0)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }

            var read = await input.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                _ended = true;
            }

            _end += read;
        }
    }
}
