#!/usr/bin/env python3
"""Turns bench/run's raw measurements into the table it prints and bench/results/latest.json.

Each figure keeps the median of its successful rounds; a failed round (wrong bytes, stall, time
bound) is kept in the JSON with its error and shown in the table when no round succeeded.
Ratios are always netkit's figure divided by the other's: above 1 is better for rates, below 1 is
better for memory, start-up time and size.
"""
import argparse
import datetime
import json
import os
import platform
import statistics

# figure: (label, unit, higher_is_better, {column: server name in the raw file}, target text, check)
# A server named "FIGURE:SERVER" is that server's rounds of another figure (the 2-loop rows are
# measured against the echo figure's C rounds).
# check(netkit value, {column: value}) -> (met, how far) or None when it cannot be judged.
COLUMNS = ["netkit", "C", "C mmsg", "netkit async", "socat", "ncat", "4-byte"]


def ratio_target(goal, col="C"):
    def check(nk, vals):
        ref = vals.get(col)
        if nk is None or not ref:
            return None
        r = nk / ref
        return (r >= goal, f"{r:.2f}x vs {goal:.2f}x")
    return check


def upper_bound(limit, unit):
    def check(nk, vals):
        if nk is None:
            return None
        return (nk <= limit, f"{nk:.1f} vs <= {limit:g} {unit}")
    return check


FIGURES = {
    "echo": ("TCP echo 100 conns x 4 x 32 B", "msg/s", True,
             {"netkit": "netkit", "C": "c", "netkit async": "netkit-async", "socat": "socat", "ncat": "ncat"}, ">= 0.95x C", ratio_target(0.95)),
    "pingpong": ("TCP ping-pong, 1 conn, 32 B", "rt/s", True,
                 {"netkit": "netkit", "C": "c", "netkit async": "netkit-async", "socat": "socat", "ncat": "ncat"}, ">= 0.95x C", ratio_target(0.95)),
    "bulk": ("TCP bulk echo, 64 KiB writes", "MB/s", True,
             {"netkit": "netkit", "C": "c", "netkit async": "netkit-async", "socat": "socat", "ncat": "ncat"}, ">= 0.95x C", ratio_target(0.95)),
    "scaling": ("TCP echo, --loops 2, every loop accepts", "msg/s", True,
                {"netkit": "netkit-2loops", "C": "echo:c"}, "report", lambda nk, vals: None),
    "scaling-first": ("TCP echo, --loops 2, first loop accepts", "msg/s", True,
                      {"netkit": "netkit-2loops-first", "C": "echo:c"}, "report", lambda nk, vals: None),
    "loadmode": ("tcp-client --bench vs C loadgen (netkit server)", "msg/s", True,
                 {"netkit": "loadmode-netkit", "C": "loadmode-loadgen"}, ">= 0.50x C", ratio_target(0.5)),
    "udploadmode": ("udp-time-client --bench vs C loadgen (netkit server)", "replies/s", True,
                    {"netkit": "udploadmode-netkit", "C": "udploadmode-loadgen"}, ">= 0.50x C", ratio_target(0.5)),
    "sntp": ("SNTP replies vs the 4-byte service (netkit server, udp-time-client --bench)", "replies/s", True,
             {"netkit": "sntp-netkit", "4-byte": "sntp-time"}, ">= 0.80x 4-byte", ratio_target(0.80, "4-byte")),
    "client": ("tcp-client: file through echo", "MB/s", True,
               {"netkit": "client-netkit", "socat": "client-socat", "ncat": "client-ncat"}, ">= 0.90x socat", ratio_target(0.90, "socat")),
    "idle": ("RSS, 10,000 idle conns", "MiB", False,
             {"netkit": "netkit", "C": "c", "netkit async": "netkit-async"}, "<= 20 MiB", upper_bound(20, "MiB")),
    "udp": ("UDP time replies", "replies/s", True,
            {"netkit": "udp-netkit", "C": "udp-c", "C mmsg": "udp-cmmsg"}, ">= 1.0x C", ratio_target(1.0)),
    "startup": ("--version start-up (mean)", "ms", False,
                {"netkit": "netkit", "socat": "socat", "ncat": "ncat"}, "<= 15 ms", upper_bound(15, "ms")),
    "size": ("binary size (stripped)", "MiB", False,
             {"netkit": "netkit", "socat": "socat", "ncat": "ncat"}, "<= 4 MiB", upper_bound(4, "MiB")),
}


def load_raw(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                rows.append({"server": "?", "figure": "?", "round": 0,
                             "result": {"ok": False, "status": "failed", "error": "unreadable: " + line[:200]}})
    return rows


def summarize(rounds):
    """Median of the successful rounds; else the last failure, with its partial rate if any."""
    ok = [r["rate"] for r in rounds if r.get("ok") and "rate" in r]
    if ok:
        return {"value": statistics.median(ok), "status": "ok", "rounds_ok": len(ok), "rounds": len(rounds)}
    if not rounds:
        return None
    last = rounds[-1]
    out = {"value": None, "status": last.get("status", "failed"), "error": last.get("error"),
           "rounds_ok": 0, "rounds": len(rounds)}
    partial = [r["rate"] for r in rounds if r.get("partial") and r.get("rate")]
    if partial:
        out["partial_value"] = statistics.median(partial)
        out["partial_bytes"] = max(r.get("verified_bytes", 0) for r in rounds)
    return out


def pair_ratios(netkit_rounds, c_rounds):
    """netkit / C per round, for the rounds where both succeeded."""
    c_by_round = {i: r["rate"] for i, r in enumerate(c_rounds) if r.get("ok") and "rate" in r}
    return [r["rate"] / c_by_round[i] for i, r in enumerate(netkit_rounds)
            if r.get("ok") and "rate" in r and c_by_round.get(i)]


def machine():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu_model": model, "kernel": platform.release(),
            "loadavg_at_end": [round(x, 2) for x in os.getloadavg()]}


def fmt(v, unit):
    if v is None:
        return "-"
    if unit in ("msg/s", "rt/s", "replies/s"):
        return f"{v / 1000:.1f}k"
    return f"{v:.1f}" if v >= 10 else f"{v:.2f}"


def cell(s, unit):
    if s is None:
        return "-"
    if s["value"] is not None:
        return fmt(s["value"], unit)
    if "partial_value" in s:
        return f"{s['status']}*{fmt(s['partial_value'], unit)}"
    return s["status"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", required=True)
    ap.add_argument("--startup")
    ap.add_argument("--sizes")
    ap.add_argument("--problems")
    ap.add_argument("--netkit-version", default="?")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    raw = load_raw(a.raw)
    by = {}
    for row in raw:
        by.setdefault((row["figure"], row["server"]), []).append(row["result"])

    extra = {}
    if a.startup and os.path.exists(a.startup):
        with open(a.startup) as f:
            for r in json.load(f).get("results", []):
                name = os.path.basename(r["command"].split()[0])
                extra[("startup", name)] = {"value": r["mean"] * 1000, "status": "ok",
                                            "median_ms": r.get("median", r["mean"]) * 1000,
                                            "stddev_ms": (r.get("stddev") or 0) * 1000, "command": r["command"]}
    if a.sizes and os.path.exists(a.sizes):
        with open(a.sizes) as f:
            sizes = json.load(f)
        for name, b in sizes.items():
            extra[("size", name)] = {"value": b / 1048576, "status": "ok", "bytes": b}

    figures = {}
    table = []
    for key, (label, unit, higher, cols, target, check) in FIGURES.items():
        vals, summ = {}, {}
        def rounds_of(server):
            figure, _, name = server.rpartition(":")
            return by.get((figure or key, name), [])

        for col, server in cols.items():
            s = extra.get((key, server)) or summarize(rounds_of(server))
            summ[col] = s
            if s is not None:
                vals[col] = s["value"] if s["value"] is not None else s.get("partial_value")
        nk = vals.get("netkit") if summ.get("netkit") and summ["netkit"]["value"] is not None else None
        ratios = {}
        for col in COLUMNS[1:]:
            if nk is not None and vals.get(col):
                ratios[col] = nk / vals[col]
        # Against C: the median of the rounds' own ratios (each round measures both minutes apart),
        # which cancels the machine's drift between rounds better than a ratio of medians.
        pairs = pair_ratios(rounds_of(cols["netkit"]), rounds_of(cols.get("C", "")))
        if pairs:
            ratios["C"] = statistics.median(pairs)
            vals = dict(vals, C=nk / ratios["C"]) if nk else vals
        verdict = check(nk, vals)
        figures[key] = {"label": label, "unit": unit, "higher_is_better": higher,
                        "servers": {col: summ[col] for col in cols if summ.get(col) is not None},
                        "rounds": {col: rounds_of(server) for col, server in cols.items() if rounds_of(server)},
                        "netkit_ratio_to": ratios, "pair_ratios_to_C": pairs, "target": target,
                        "target_met": None if verdict is None else verdict[0],
                        "target_detail": None if verdict is None else verdict[1]}
        row = [label, unit] + [cell(summ.get(c), unit) if c in cols else "" for c in COLUMNS]
        row += [f"{ratios[c]:.2f}x" if c in ratios else "" for c in COLUMNS[1:]]
        row += [target, "-" if verdict is None else ("yes" if verdict[0] else "MISSED") ]
        table.append(row)

    head = ["figure", "unit"] + COLUMNS + ["nk/C", "nk/C mmsg", "nk/async", "nk/socat", "nk/ncat", "nk/4-byte", "target", "met"]
    widths = [max(len(str(r[i])) for r in table + [head]) for i in range(len(head))]
    print()
    print("  ".join(h.ljust(w) for h, w in zip(head, widths)))
    print("  ".join("-" * w for w in widths))
    for r in table:
        print("  ".join(str(v).ljust(w) for v, w in zip(r, widths)))
    print()
    print("nk/X = netkit / X: above 1 is better for rates, below 1 for MiB and ms; nk/C is the median of the")
    print("rounds' own ratios. 'netkit async' is tcp-server --loops 0 (the portable transport). Rates are medians of the")
    print("successful rounds; 'timeout*N' / 'stalled*N' = no round finished, N is the rate until it was cut off.")
    for k, f in figures.items():
        for col, rounds in f["rounds"].items():
            bad = [r for r in rounds if not r.get("ok")]
            if bad:
                print(f"  {col} {k}: {len(rounds) - len(bad)}/{len(rounds)} rounds passed; "
                      f"{bad[-1].get('status')}: {bad[-1].get('error')}")
    problems = []
    if a.problems and os.path.exists(a.problems):
        with open(a.problems) as f:
            problems = [line.strip() for line in f if line.strip()]
    for p in problems:
        print(f"  PROBLEM {p}")

    doc = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
           "netkit_version": a.netkit_version, "machine": machine(), "figures": figures,
           "problems": problems}
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(doc, f, indent=1)
    print(f"\nraw numbers: {os.path.relpath(a.out)}")


if __name__ == "__main__":
    main()
