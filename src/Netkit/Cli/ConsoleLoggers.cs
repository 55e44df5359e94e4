using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Netkit.Cli;

/// <summary>
/// A logger factory with one provider, the console logger (its queue, its thread, its stderr
/// writer), and one minimum level: all netkit asks of <c>LoggerFactory</c>, without the dependency
/// injection, configuration and filter rules that come with it. The level may change while
/// netkit runs (the operator's <c>/quiet</c> and <c>/verbose</c>), for every logger at once.
/// </summary>
internal sealed class ConsoleLoggers(ConsoleLoggerProvider provider, LogLevel minimum) : ILoggerFactory
{
    private volatile int _minimum = (int)minimum;

    /// <summary>The least level written; set from any thread.</summary>
    public LogLevel Minimum
    {
        get => (LogLevel)_minimum;
        set => _minimum = (int)value;
    }

    public ILogger CreateLogger(string categoryName) => new Filtered(provider.CreateLogger(categoryName), this);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("netkit logs to the console only");

    /// <summary>Waits (briefly, as the provider does) for queued lines to be written.</summary>
    public void Dispose() => provider.Dispose();

    private sealed class Filtered(ILogger inner, ConsoleLoggers owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= owner.Minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}

/// <summary>Options that never change, for the console logger's constructor.</summary>
internal sealed class FixedOptions<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue => value;

    public T Get(string? name) => value;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
