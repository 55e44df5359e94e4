using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Netkit.EndToEnd;

/// <summary>
/// A child process with every stream redirected: stdin written by the test, stdout kept as raw
/// bytes (it carries protocol data, compared byte for byte), stderr kept as text (prompts, logs,
/// status lines) that tests can wait on. Every wait is bounded; Dispose kills whatever still runs,
/// so a failing test never leaves a server behind. Started with <c>stderrUnread</c>, stderr is a
/// pipe nobody reads (a stalled log sink) until <see cref="ReadStderr"/> or the wait for exit.
/// </summary>
public sealed class RunningProcess : IDisposable
{
    /// <summary>Default bound for any single wait: generous for a loaded CI machine.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    private readonly Process _process;
    private readonly string _commandLine;
    private readonly MemoryStream _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();
    private readonly Task _stdoutPump;
    private readonly Task _stderrPump;
    private readonly TaskCompletionSource _stderrReading = NewSignal();

    // Completed (and replaced) whenever stderr grows or ends, so waiters re-check without polling.
    private TaskCompletionSource _stderrChanged = NewSignal();

    private RunningProcess(Process process, string commandLine, bool stderrUnread)
    {
        _process = process;
        _commandLine = commandLine;
        _stdoutPump = Task.Run(PumpStdoutAsync);
        _stderrPump = Task.Run(async () =>
        {
            await _stderrReading.Task;
            await PumpStderrAsync();
        });
        if (!stderrUnread)
        {
            ReadStderr();
        }
    }

    public int Id => _process.Id;

    public string CommandLine => _commandLine;

    /// <summary>Everything written to stderr so far.</summary>
    public string Stderr
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Everything written to stdout so far, as raw bytes.</summary>
    public byte[] StdoutBytes
    {
        get
        {
            lock (_gate)
            {
                return _stdout.ToArray();
            }
        }
    }

    /// <summary>Stdout decoded as UTF-8 (the tests only exchange ASCII).</summary>
    public string Stdout => Encoding.UTF8.GetString(StdoutBytes);

    public static RunningProcess Start(
        string fileName,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null,
        bool stderrUnread = false)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = Utf8NoBom,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        if (workingDirectory is not null)
        {
            info.WorkingDirectory = workingDirectory;
        }

        if (environment is not null)
        {
            foreach (var (name, value) in environment)
            {
                if (value is null)
                {
                    info.Environment.Remove(name);
                }
                else
                {
                    info.Environment[name] = value;
                }
            }
        }

        var commandLine = string.Join(' ', info.ArgumentList.Prepend(fileName));
        var process = Process.Start(info)
            ?? throw new InvalidOperationException($"could not start {commandLine}");
        return new RunningProcess(process, commandLine, stderrUnread);
    }

    /// <summary>Starts reading stderr (a no-op unless started with <c>stderrUnread</c>).</summary>
    public void ReadStderr() => _stderrReading.TrySetResult();

    /// <summary>Writes text to the child's stdin and flushes it.</summary>
    public void Write(string text)
    {
        _process.StandardInput.Write(text);
        _process.StandardInput.Flush();
    }

    /// <summary>Writes raw bytes to the child's stdin and flushes it.</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        _process.StandardInput.Flush();
        _process.StandardInput.BaseStream.Write(bytes);
        _process.StandardInput.BaseStream.Flush();
    }

    /// <summary>Closes stdin, so the child sees EOF.</summary>
    public void CloseStdin()
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The child already exited and the pipe is broken: EOF is what it would have seen.
        }
    }

    /// <summary>Waits until stderr matches <paramref name="pattern"/>; fails with the stderr so far.</summary>
    public async Task<Match> WaitForStderrAsync(Regex pattern, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        using var cancellation = new CancellationTokenSource(limit);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                var match = pattern.Match(_stderr.ToString());
                if (match.Success)
                {
                    return match;
                }

                changed = _stderrChanged.Task;
            }

            if (_stderrPump.IsCompleted)
            {
                throw new InvalidOperationException(
                    $"{_commandLine}: stderr ended without matching /{pattern}/; stderr was:\n{Stderr}");
            }

            try
            {
                await changed.WaitAsync(cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException(
                    $"{_commandLine}: no /{pattern}/ on stderr within {limit}; stderr was:\n{Stderr}");
            }
        }
    }

    /// <summary>Sends a signal (<c>INT</c>, <c>TERM</c>, ...) with kill(1).</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill")
        {
            ArgumentList = { "-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("could not start kill");
        using var cancellation = new CancellationTokenSource(DefaultTimeout);
        await kill.WaitForExitAsync(cancellation.Token);
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {_process.Id} exited with {kill.ExitCode}");
        }
    }

    /// <summary>
    /// Waits for the child to exit and for its output to be fully read; returns the exit code.
    /// On timeout the child is killed and a <see cref="TimeoutException"/> carries its stderr.
    /// </summary>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        using var cancellation = new CancellationTokenSource(limit);
        ReadStderr();
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
            await Task.WhenAll(_stdoutPump, _stderrPump).WaitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException(
                $"{_commandLine}: did not exit within {limit}; stderr was:\n{Stderr}\nstdout was:\n{Stdout}");
        }

        return _process.ExitCode;
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private static TaskCompletionSource NewSignal() =>
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(2000);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill: nothing left to clean up.
        }
    }

    private async Task PumpStdoutAsync()
    {
        var buffer = new byte[4096];
        var stream = _process.StandardOutput.BaseStream;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            lock (_gate)
            {
                _stdout.Write(buffer, 0, read);
            }
        }
    }

    private async Task PumpStderrAsync()
    {
        var buffer = new char[4096];
        var reader = _process.StandardError;
        try
        {
            int read;
            while ((read = await reader.ReadAsync(buffer)) > 0)
            {
                TaskCompletionSource changed;
                lock (_gate)
                {
                    _stderr.Append(buffer, 0, read);
                    changed = _stderrChanged;
                    _stderrChanged = NewSignal();
                }

                changed.TrySetResult();
            }
        }
        finally
        {
            lock (_gate)
            {
                _stderrChanged.TrySetResult();
            }
        }
    }
}
