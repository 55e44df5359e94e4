namespace Netkit.Output;

/// <summary>How every line netkit writes to stderr looks: <c>--log-format simple|json|systemd</c>.</summary>
internal enum LogFormat
{
    /// <summary>Text for people: the message alone (log lines with the console logger's level prefix).</summary>
    Simple,

    /// <summary>JSON Lines: each line one object, <see cref="JsonLogLine"/> says which fields.</summary>
    Json,

    /// <summary>Text with the syslog priority first (<c>&lt;3&gt;</c> error ... <c>&lt;7&gt;</c> debug), as journald reads it.</summary>
    Systemd,
}
