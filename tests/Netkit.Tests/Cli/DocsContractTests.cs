using System.CommandLine;
using System.Text.RegularExpressions;
using Netkit.Cli;

namespace Netkit.Tests.Cli;

/// <summary>
/// docs/cli.md against the command tree the binary's --help is made from, so the contract cannot
/// drift from the program: every option a command's synopsis names is that command's, every option
/// a command has is in its synopsis or among the common socket options, and the global line names
/// only what every subcommand takes.
/// </summary>
public sealed partial class DocsContractTests
{
    private static readonly string Docs = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "cli.md"));

    private static readonly RootCommand Root = NetkitCli.Build();

    public static TheoryData<string> Commands() => ["tcp-server", "tcp-client", "udp-time-server", "udp-time-client", "sockopts"];

    [Theory]
    [MemberData(nameof(Commands))]
    public void Every_option_of_a_synopsis_is_the_commands_and_every_option_is_documented(string name)
    {
        var command = Root.Subcommands.Single(c => c.Name == name);
        var names = Names(command);
        var synopsis = Synopsis(name);
        foreach (var option in OptionTokens().Matches(synopsis).Select(m => m.Value))
        {
            Assert.True(names.Contains(option), $"docs/cli.md's {name} synopsis names {option}, which `netkit {name} --help` does not have");
        }

        var common = Section("Common socket options");
        var global = Docs[..Docs.IndexOf("\n## ", StringComparison.Ordinal)];
        foreach (var option in command.Options.Where(o => !o.Hidden && o.Name.StartsWith("--", StringComparison.Ordinal)))
        {
            Assert.True(Mentions(synopsis, option.Name) || Mentions(common, option.Name) || Mentions(global, option.Name) || Mentions(Section(name), option.Name),
                $"`netkit {name}` has {option.Name}, which docs/cli.md does not name for it");
        }
    }

    [Fact]
    public void The_global_line_names_only_what_every_subcommand_takes()
    {
        var line = Docs[..Docs.IndexOf("Durations take units", StringComparison.Ordinal)];
        foreach (var option in OptionTokens().Matches(line).Select(m => m.Value))
        {
            foreach (var command in Root.Subcommands.Where(c => c.Name is not ("help" or "completion")))
            {
                Assert.True(Names(command).Contains(option), $"docs/cli.md says every subcommand takes {option}; `netkit {command.Name}` does not");
            }
        }
    }

    [Fact]
    public void Each_common_socket_option_exists_on_some_command()
    {
        foreach (var option in OptionTokens().Matches(Section("Common socket options")).Select(m => m.Value).Distinct())
        {
            Assert.True(Root.Subcommands.Any(c => Names(c).Contains(option)), $"docs/cli.md lists the socket option {option}, which no command has");
        }
    }

    [Fact]
    public void The_common_socket_option_table_marks_exactly_the_commands_that_take_each_option()
    {
        // | `--opt` ... | what | tcp-server | tcp-client | udp-time-server | udp-time-client |
        var lines = Section("Common socket options").Split('\n').Where(l => l.StartsWith('|')).ToList();
        var header = lines[0].Split('|').Select(c => c.Trim()).ToArray();
        var columns = header[3..^1];
        Assert.Equal(["tcp-server", "tcp-client", "udp-time-server", "udp-time-client"], columns);
        var rows = 0;
        foreach (var line in lines.Skip(2))
        {
            var cells = line.Split('|').Select(c => c.Trim()).ToArray();
            var marks = cells[3..^1];
            Assert.Equal(columns.Length, marks.Length);
            var options = Regex.Matches(cells[1], @"`(-[^ `]+)").Select(m => m.Groups[1].Value).ToList();
            Assert.NotEmpty(options);
            foreach (var option in options)
            {
                for (var i = 0; i < columns.Length; i++)
                {
                    var has = Names(Root.Subcommands.Single(c => c.Name == columns[i])).Contains(option);
                    Assert.True(has == (marks[i] == "✓"),
                        $"docs/cli.md's socket option table says {columns[i]} {(marks[i] == "✓" ? "takes" : "does not take")} {option}; `netkit {columns[i]} --help` {(has ? "has" : "does not have")} it");
                }
            }

            rows++;
        }

        Assert.True(rows >= 10, $"only {rows} rows in the socket option table");
    }

    private static HashSet<string> Names(Command command)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var option in command.Options.Concat(Root.Options.Where(o => o.Recursive)))
        {
            names.Add(option.Name);
            names.UnionWith(option.Aliases);
        }

        return names;
    }

    // The first backticked block of a command's section: `netkit NAME [...]`.
    private static string Synopsis(string name)
    {
        var section = Section(name);
        var start = section.IndexOf("`netkit " + name, StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/cli.md's {name} section has no synopsis");
        return section[start..section.IndexOf('`', start + 1)];
    }

    private static string Section(string title)
    {
        var start = Docs.IndexOf("\n## " + title + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/cli.md has no section {title}");
        var end = Docs.IndexOf("\n## ", start + 4, StringComparison.Ordinal);
        return end < 0 ? Docs[start..] : Docs[start..end];
    }

    private static bool Mentions(string text, string option) => Regex.IsMatch(text, Regex.Escape(option) + @"(?![a-z-])");

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "netkit.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("no netkit.sln above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"(?<![\w-])--[a-z][a-z-]*[a-z]")]
    private static partial Regex OptionTokens();
}
