#!/usr/bin/env python3
"""The Windows leg: the win-x64 build of netkit under Wine, talking to the Linux build over loopback.

    build/wine-check.py NETKIT.EXE LINUX-NETKIT VERSION

NETKIT.EXE is the self-contained, trimmed, non-AOT win-x64 publish (Native AOT does not cross
operating systems); LINUX-NETKIT is the native linux-x64 binary, the peer on the other end. Each
check prints "ok: NAME" or "FAIL: NAME: why"; the last line is "windows leg: N passed, N failed" and the exit
code is non-zero if any failed. Every wait is bounded; nothing leaves loopback.

What Wine can show and what it cannot (../shared/notes/windows-wine.md): exclusive address use is
real; SIO_UDP_CONNRESET is a stub and Linux reports no ICMP errors to unconnected UDP sockets, so the
ICMP check proves only that the server keeps answering and the ioctl does not throw. Wine turns
SIGINT into CTRL_C_EVENT; it passes no SIGTERM to the Windows program. Output lines end in CRLF, so
text is compared with CR removed; data bytes are compared exactly.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

EXE, LINUX, VERSION = (os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), sys.argv[3]) if len(sys.argv) == 4 \
    else sys.exit("usage: wine-check.py NETKIT.EXE LINUX-NETKIT VERSION")
TMP = tempfile.mkdtemp(prefix="netkit-wine-")
ENV = dict(os.environ, WINEPREFIX=os.path.join(TMP, "prefix"), WINEDEBUG="-all", NO_COLOR="1")
LISTENING = re.compile(r"listening on (\S+):(\d+) \((tcp|udp)\)")
TUTORIAL = b"hello\nI get it!\nWORD"
running = []
results = []


class Failed(Exception):
    pass


class Crashed(Failed):
    """A Windows program killed by SIGSEGV: seen once in about 300 Ctrl+C exits under Wine, after
    the summary was written, never reproduced on demand; the check is run once more and says so."""


def expect(condition, why):
    if not condition:
        raise Failed(why)


def text(data):
    return data.decode("utf-8", "replace").replace("\r\n", "\n")


class Process:
    """A command with stdin /dev/null and stdout/stderr in files (never pipes: a Wine helper that
    inherited a pipe would hold it open after the program ended)."""

    count = 0

    def __init__(self, argv, stdin=None):
        Process.count += 1
        self.out = os.path.join(TMP, f"{Process.count}.out")
        self.err = os.path.join(TMP, f"{Process.count}.err")
        with open(self.out, "wb") as out, open(self.err, "wb") as err:
            self.proc = subprocess.Popen(argv, stdin=stdin if stdin is not None else subprocess.DEVNULL,
                                         stdout=out, stderr=err, env=ENV, start_new_session=True)
        running.append(self)

    def stdout(self):
        with open(self.out, "rb") as f:
            return f.read()

    def stderr(self):
        with open(self.err, "rb") as f:
            return text(f.read())

    def wait(self, seconds):
        try:
            code = self.proc.wait(seconds)
        except subprocess.TimeoutExpired:
            raise Failed(f"did not exit within {seconds}s; stderr: {self.stderr()!r}") from None
        if code == -signal.SIGSEGV and self.proc.args[0] == "wine":
            raise Crashed(f"{' '.join(self.proc.args[2:])}: killed by SIGSEGV; stderr: {self.stderr()!r}")
        return code

    def wait_for(self, pattern, seconds=30):
        """The first match of pattern on stderr, waiting at most seconds."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = re.search(pattern, self.stderr())
            if found:
                return found
            if self.proc.poll() is not None:
                raise Failed(f"exited with {self.proc.returncode} before {pattern!r}: {self.stderr()!r}")
            time.sleep(0.05)
        raise Failed(f"no {pattern!r} within {seconds}s: {self.stderr()!r}")

    def interrupt(self, seconds=30):
        """Ctrl+C once (Wine delivers SIGINT as CTRL_C_EVENT); the exit code."""
        self.proc.send_signal(signal.SIGINT)
        return self.wait(seconds)

    def kill(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(10)


def windows(*args, stdin=None):
    return Process(["wine", EXE, *args], stdin)


def linux(*args, stdin=None):
    return Process([LINUX, *args], stdin)


def run(process, seconds=60):
    code = process.wait(seconds)
    return code, process.stdout(), process.stderr()


def server(process):
    """A started server and its port, once it printed its listening line."""
    return process, int(process.wait_for(LISTENING).group(2))


def check(name):
    def register(body):
        results.append((name, body))
        return body
    return register


# --- the checks -------------------------------------------------------------------------------

@check("--help lists every command, --version is the build's")
def help_and_version():
    code, out, err = run(windows("--help"))
    expect(code == 0, f"--help exited {code}: {err!r}")
    for command in ("tcp-server", "tcp-client", "udp-time-server", "udp-time-client", "sockopts"):
        expect(command in text(out), f"--help does not list {command}")
    code, out, _ = run(windows("--version"))
    expect(code == 0 and text(out).strip() == VERSION, f"--version printed {out!r} (exit {code}), expected {VERSION}")


@check("sockopts --json is JSON and shows the Windows options")
def sockopts_json():
    code, out, err = run(windows("sockopts", "--json"))
    expect(code == 0, f"exit {code}: {err!r}")
    report = json.loads(text(out))
    expect(report["platform"] == "win-x64", f"platform {report['platform']!r}")
    options = {o["name"]: o for o in report["options"]}
    exclusive = options.get("SO_EXCLUSIVEADDRUSE")
    expect(exclusive and exclusive["supported"] and exclusive["flag"] == "--reuse-address",
           f"SO_EXCLUSIVEADDRUSE should carry --reuse-address: {exclusive}")
    expect(options["SO_REUSEADDR"]["flag"] is None, "SO_REUSEADDR must not carry --reuse-address on Windows")


def tutorial_server(host):
    srv, port = server(windows("tcp-server", "--host", host, "--port", "0", "--reply", "WORD", "--once"))
    code, out, err = run(linux("tcp-client", host, "--port", str(port), "--message", "hello", "--timeout", "30s"))
    expect(code == 0 and out == TUTORIAL, f"Linux client got {out!r} (exit {code}): {err!r}")
    code = srv.wait(30)
    log = srv.stderr()
    expect(code == 0, f"--once server exited {code}: {log!r}")
    expect(re.search(r"#1 .*:hello\n", log) and "summary: 1 connection(s)" in log, f"server log: {log!r}")


@check("tcp-server (Windows) <- tcp-client (Linux), IPv4: the tutorial's conversation")
def tcp_server_v4():
    tutorial_server("127.0.0.1")


@check("tcp-server (Windows) <- tcp-client (Linux), IPv6")
def tcp_server_v6():
    tutorial_server("::1")


def tutorial_client(host):
    srv, port = server(linux("tcp-server", "--host", host, "--port", "0", "--reply", "WORD", "--once"))
    code, out, err = run(windows("tcp-client", host, "--port", str(port), "--message", "hello", "--timeout", "30s"))
    # Data is written as received: the peer's LF bytes, not CRLF, even on Windows.
    expect(code == 0 and out == TUTORIAL, f"Windows client got {out!r} (exit {code}): {err!r}")
    expect("sending completed." in err, f"client stderr: {err!r}")
    expect(srv.wait(30) == 0, f"Linux server: {srv.stderr()!r}")


@check("tcp-client (Windows) -> tcp-server (Linux), IPv4: the tutorial's conversation, bytes exact")
def tcp_client_v4():
    tutorial_client("127.0.0.1")


@check("tcp-client (Windows) -> tcp-server (Linux), IPv6")
def tcp_client_v6():
    tutorial_client("::1")


@check("tcp-server (Windows) on every interface (the default [::]) serves IPv4 and IPv6 clients")
def tcp_server_dual_stack():
    srv, port = server(windows("tcp-server", "--port", "0", "--reply", "WORD"))
    expect(re.search(r"listening on \[::\]:\d+ \(tcp\)", srv.stderr()), f"not the dual-stack socket: {srv.stderr()!r}")
    for host in ("127.0.0.1", "::1"):
        code, out, err = run(linux("tcp-client", host, "--port", str(port), "--message", "hello", "--timeout", "30s"))
        expect(code == 0 and out == TUTORIAL, f"client over {host} got {out!r} (exit {code}): {err!r}")
    expect(srv.interrupt() == 0, srv.stderr())


@check("operator words piped to tcp-server (Windows) stdin: one per chunk, CR of CRLF dropped, end of input said")
def piped_words():
    words = os.path.join(TMP, "words.in")
    with open(words, "wb") as f:
        f.write(b"first\r\nsecond\n")
    with open(words, "rb") as stdin:
        srv, port = server(windows("tcp-server", "--host", "127.0.0.1", "--port", "0", stdin=stdin))
    for word in (b"first", b"second"):
        code, out, err = run(linux("tcp-client", "127.0.0.1", "--port", str(port), "-m", "hi", "--timeout", "30s"))
        expect(code == 0 and out == b"hi\nI get it!\n" + word, f"expected {word!r}, client got {out!r} (exit {code}): {err!r}")
    code = srv.interrupt()
    log = srv.stderr()
    expect(code == 0 and "words: 2 sent" in log, f"exit {code}: {log!r}")


@check("binary data through tcp-client (Windows) stdin/stdout and an echo server: every byte, CR LF ^Z included")
def binary_pipe():
    data = bytes(range(256)) * 512 + b"\r\n\x1a\r\r\n\n"
    source = os.path.join(TMP, "binary.in")
    with open(source, "wb") as f:
        f.write(data)
    srv, port = server(linux("tcp-server", "--host", "127.0.0.1", "--port", "0", "--mode", "echo"))
    with open(source, "rb") as stdin:
        code, out, err = run(windows("tcp-client", "127.0.0.1", "--port", str(port), "--timeout", "30s", stdin=stdin))
    expect(code == 0, f"client exit {code}: {err!r}")
    expect(out == data, f"received {len(out)} bytes, sent {len(data)}; first difference at "
           f"{next((i for i, (a, b) in enumerate(zip(out, data)) if a != b), min(len(out), len(data)))}")
    expect(srv.interrupt() == 0, f"Linux server: {srv.stderr()!r}")


def time_reply(code, out, err):
    expect(code == 0, f"exit {code}: {err!r}")
    shown = text(out).strip()
    # Python's time.ctime: "Tue Dec  1 15:04:05 2026"
    expect(re.fullmatch(r"\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}", shown), f"not a ctime line: {shown!r}")
    return shown


@check("udp-time-server (Windows) <- udp-time-client (Linux), IPv4 and IPv6")
def udp_server():
    for host in ("127.0.0.1", "::1"):
        srv, port = server(windows("udp-time-server", "--host", host, "--port", "0"))
        time_reply(*(run(linux("udp-time-client", host, "--port", str(port), "--timeout", "5s"))))
        code = srv.interrupt()
        log = srv.stderr()
        expect(code == 0 and "summary:" in log, f"Ctrl+C: exit {code}, log {log!r}")


@check("udp-time-client (Windows) -> udp-time-server (Linux), IPv4 and IPv6; --json")
def udp_client():
    for host in ("127.0.0.1", "::1"):
        srv, port = server(linux("udp-time-server", "--host", host, "--port", "0"))
        time_reply(*(run(windows("udp-time-client", host, "--port", str(port), "--timeout", "5s"))))
        code, out, err = run(windows("udp-time-client", host, "--port", str(port), "--timeout", "5s", "--json"))
        expect(code == 0, f"--json exit {code}: {err!r}")
        lines = text(out).splitlines()
        expect(len(lines) == 1 and abs(json.loads(lines[0])["offsetSeconds"]) < 5, f"--json printed {out!r}")
        expect(srv.interrupt() == 0, srv.stderr())


@check("a second tcp-server on a busy port exits 6, address already in use (exclusive address use)")
def busy_tcp():
    first, port = server(windows("tcp-server", "--host", "127.0.0.1", "--port", "0", "--reply", "W"))
    for extra in ([], ["--reuse-address"]):
        code, _, err = run(windows("tcp-server", "--host", "127.0.0.1", "--port", str(port), *extra))
        expect(code == 6 and "address already in use" in err, f"second server {extra}: exit {code}, {err!r}")
    # The first one still owns the port and serves.
    code, out, err = run(linux("tcp-client", "127.0.0.1", "--port", str(port), "-m", "hello", "--timeout", "30s"))
    expect(out == b"hello\nI get it!\nW", f"first server after the refused bind: {out!r} {err!r}")
    expect(first.interrupt() == 0, first.stderr())


@check("a second tcp-server on the dual-stack default's busy port says address already in use, not permission denied")
def busy_tcp_default():
    first, port = server(windows("tcp-server", "--port", "0", "--reply", "W"))
    for extra in ([], ["-4"], ["--host", "127.0.0.1"]):
        code, _, err = run(windows("tcp-server", "--port", str(port), *extra))
        expect(code == 6 and "address already in use" in err and "permission denied" not in err,
               f"second server {extra}: exit {code}, {err!r}")
    expect(first.interrupt() == 0, first.stderr())


@check("completion scripts have LF line ends, so bash and zsh (Git Bash, MSYS2, WSL) can load them")
def completion_scripts():
    for shell in ("bash", "zsh", "fish", "pwsh"):
        code, out, err = run(windows("completion", shell))
        carriage_returns = out.count(b"\r")
        expect(code == 0 and out and carriage_returns == 0, f"{shell}: exit {code}, {carriage_returns} CR, {err!r}")
    code, out, _ = run(windows("completion", "bash"))
    script = os.path.join(TMP, "netkit.bash")
    with open(script, "wb") as f:
        f.write(out)
    checked = subprocess.run(["bash", "-n", script], capture_output=True, text=True, timeout=30)
    expect(checked.returncode == 0, f"bash -n: {checked.stderr}")


@check("a second udp-time-server on a busy port exits 6, with and without --reuse-address")
def busy_udp():
    for extra in ([], ["--reuse-address"]):
        first, port = server(windows("udp-time-server", "--host", "127.0.0.1", "--port", "0", *extra))
        code, _, err = run(windows("udp-time-server", "--host", "127.0.0.1", "--port", str(port), *extra))
        expect(code == 6 and "address already in use" in err, f"second server {extra}: exit {code}, {err!r}")
        expect(first.interrupt() == 0, first.stderr())


@check("udp-time-server (Windows) keeps answering after its replies met closed ports (ICMP unreachable)")
def udp_after_icmp():
    srv, port = server(windows("udp-time-server", "--host", "127.0.0.1", "--port", "0"))
    for _ in range(5):
        # Ask, then close before the reply comes: the reply meets a closed port.
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.sendto(b"", ("127.0.0.1", port))
        s.close()
    # A fresh client still gets its answer, several times.
    for _ in range(3):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(10)
            s.sendto(b"", ("127.0.0.1", port))
            reply, _ = s.recvfrom(64)
            expect(len(reply) == 4, f"reply of {len(reply)} bytes")
            expect(abs(int.from_bytes(reply, "big") - time.time()) < 5, f"reply {reply.hex()} is not now")
    code = srv.interrupt()
    log = srv.stderr()
    expect(code == 0 and "summary:" in log and "0 error(s)" in log, f"exit {code}, log {log!r}")


@check("Ctrl+C on tcp-server with a client connected: --shutdown-timeout, then the client reset, summary, exit 0")
def ctrl_c_tcp():
    srv, port = server(windows("tcp-server", "--host", "127.0.0.1", "--port", "0", "--reply", "W", "--shutdown-timeout", "1s"))
    with socket.create_connection(("127.0.0.1", port), timeout=30) as client:
        srv.wait_for(r"#1 connection from")
        code = srv.interrupt()
        log = srv.stderr()
        expect(code == 0, f"exit {code}: {log!r}")
        expect("stopping: waiting for 1 connection(s) (--shutdown-timeout 1s)" in log, f"no drain line: {log!r}")
        expect(re.search(r"#1 closed: server stopping.*\nsummary: 1 connection\(s\)", log), f"no summary: {log!r}")
        client.settimeout(10)
        try:
            got = client.recv(100)
        except ConnectionResetError:
            got = None
        expect(got in (None, b""), f"the client got {got!r}, not its reset")


@check("--log-format json: every stderr line is one JSON object")
def json_lines():
    srv, port = server(windows("tcp-server", "--host", "127.0.0.1", "--port", "0", "--reply", "WORD", "--once",
                               "--log-format", "json"))
    code, out, _ = run(linux("tcp-client", "127.0.0.1", "--port", str(port), "-m", "hello", "--timeout", "30s"))
    expect(code == 0 and out == TUTORIAL, f"client got {out!r}")
    expect(srv.wait(30) == 0, srv.stderr())
    lines = srv.stderr().splitlines()
    expect(len(lines) >= 4, f"only {lines}")
    for line in lines:
        try:
            json.loads(line)
        except ValueError:
            raise Failed(f"not JSON: {line!r}") from None


@check("errors: a refused connect exits 1 with one line; a stdout reader that goes away ends it at once, exit 0")
def errors():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]   # bound, never listening: connections to it are refused
        code, _, err = run(windows("tcp-client", "127.0.0.1", "--port", str(port), "-m", "x", "--connect-timeout", "20s"))
    lines = err.strip().splitlines()
    expect(code == 1 and len(lines) == 1 and "refused" in lines[0], f"exit {code}: {err!r}")
    # A reader of stdout that goes away ends the command at once, exit 0, as on Linux (README).
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    read, write = os.pipe()
    proc = subprocess.Popen(["wine", EXE, "tcp-client", "127.0.0.1", "--port", str(port), "--timeout", "30s"],
                            stdin=subprocess.DEVNULL, stdout=write, stderr=open(os.path.join(TMP, "closed.err"), "wb"),
                            env=ENV, start_new_session=True)
    os.close(write)
    listener.settimeout(30)
    peer, _ = listener.accept()
    with peer, listener:
        peer.settimeout(30)
        peer.sendall(b"x" * 65536)
        os.read(read, 4)
        os.close(read)
        try:
            for _ in range(256):   # up to 16 MiB more, until netkit goes away
                peer.sendall(b"x" * 65536)
        except OSError:
            pass
        try:
            code = proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise Failed("tcp-client went on after its stdout closed") from None
    with open(os.path.join(TMP, "closed.err"), "rb") as f:
        err = text(f.read())
    expect("   at " not in err and "Unhandled" not in err, f"stack trace on a closed stdout: {err!r}")
    expect(code == 0, f"exit {code} on a reader that went away: {err!r}")


# --- driver ------------------------------------------------------------------------------------

def main():
    started = time.monotonic()
    os.makedirs(ENV["WINEPREFIX"])
    # A persistent wineserver first: otherwise each command pays ~3 s and Wine's helpers inherit
    # the callers' pipes (windows-wine.md).
    subprocess.run(["wineserver", "-p"], env=ENV, check=True, timeout=60)
    subprocess.run(["wineboot", "-i"], env=ENV, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=120)
    print(f"wine prefix ready in {time.monotonic() - started:.1f}s ({subprocess.run(['wine', '--version'], env=ENV, capture_output=True, text=True).stdout.strip()})")
    passed = failed = 0
    try:
        for name, body in results:
            begun = time.monotonic()
            try:
                try:
                    body()
                    note = ""
                except Crashed as e:
                    for p in running:
                        p.kill()
                    running.clear()
                    body()
                    note = f"; passed when run again after a crash under Wine: {e}"
                passed += 1
                print(f"ok: {name} ({time.monotonic() - begun:.1f}s{note})", flush=True)
            except Failed as e:
                failed += 1
                print(f"FAIL: {name}: {e}", flush=True)
            except Exception:
                failed += 1
                print(f"FAIL: {name}: {traceback.format_exc()}", flush=True)
            finally:
                for p in running:
                    p.kill()
                running.clear()
    finally:
        subprocess.run(["wineserver", "-k"], env=ENV, timeout=60)
        shutil.rmtree(TMP, ignore_errors=True)
    print(f"windows leg: {passed} passed, {failed} failed ({time.monotonic() - started:.0f}s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
