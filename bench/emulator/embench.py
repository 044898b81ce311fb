#!/usr/bin/env python3
"""Helper for bench/emulator/run.sh (Python 3 standard library only).

Subcommands:
  free-port                      print a free TCP port on 127.0.0.1
  snapshot URL PID OUT           write OUT (JSON): machine CPU (/proc/stat), the emulator's CPU, threads and context
                                 switches (/proc/PID), and its /metrics counters (invocations, throttles, rejections)
  open-step PARTS NAME RATE A,B  judge one open-model step (lsbench run-summary over the held window [A, B)), add the
                                 emulator and machine figures; write PARTS/NAME.json; print yes/no (sustained)
  other-cpu PARTS NAME           CPU seconds used by anything but the driver and the emulator during NAME
  assemble OUT                   collect OUT/parts/* into OUT/results.json
  report RESULTS.json OUT.md     render the tables for docs/BENCHMARKS.md

Parsing of LambdaStorm results, hey and GNU time output is the load-engine benchmark's (bench/lsbench.py, imported),
so both benchmarks define "requests per second", "sustained" and "CPU s" the same way.
"""

import glob
import json
import os
import re
import sys
import urllib.request

sys.dont_write_bytecode = True  # no __pycache__ left in bench/
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import lsbench  # noqa: E402  (bench/lsbench.py)

HZ = os.sysconf("SC_CLK_TCK")
FUNCTION = "zero"


# --- snapshots ---------------------------------------------------------------------------------------------------------


def _machine_cpu():
    with open("/proc/stat", encoding="ascii") as f:
        fields = f.readline().split()
    # user nice system idle iowait irq softirq steal
    v = [int(x) for x in fields[1:9]]
    return {"busyTicks": v[0] + v[1] + v[2] + v[5] + v[6], "stealTicks": v[7]}


def _process(pid):
    out = {"cpuTicks": None, "threads": 0, "voluntaryCtxt": 0, "involuntaryCtxt": 0}
    try:
        with open("/proc/%s/stat" % pid, encoding="ascii") as f:
            stat = f.read()
        # fields after the command name (which may contain spaces) start at index 2 = state
        rest = stat[stat.rindex(")") + 2:].split()
        out["cpuTicks"] = int(rest[11]) + int(rest[12])  # utime + stime
        for status in glob.glob("/proc/%s/task/*/status" % pid):
            try:
                with open(status, encoding="ascii") as f:
                    text = f.read()
            except OSError:
                continue  # the thread ended meanwhile
            out["threads"] += 1
            m = re.search(r"^voluntary_ctxt_switches:\s+(\d+)", text, re.M)
            out["voluntaryCtxt"] += int(m.group(1)) if m else 0
            m = re.search(r"^nonvoluntary_ctxt_switches:\s+(\d+)", text, re.M)
            out["involuntaryCtxt"] += int(m.group(1)) if m else 0
    except OSError:
        pass
    return out


_SAMPLE = re.compile(r'^(lambdastorm_emulator_[a-z_]+)\{([^}]*)\}\s+([0-9.eE+-]+)\s*$')


def _metrics(url):
    """Sums of the emulator's counters that the benchmark cross-checks, read from /metrics."""
    with urllib.request.urlopen(url, timeout=10) as r:
        text = r.read().decode("utf-8", "replace")
    out = {"invocations": {}, "throttles": {}, "rejected": {}, "coldStarts": 0}
    for line in text.splitlines():
        m = _SAMPLE.match(line)
        if not m:
            continue
        name, labels, value = m.group(1), dict(re.findall(r'(\w+)="([^"]*)"', m.group(2))), float(m.group(3))
        if name == "lambdastorm_emulator_invocations_total" and labels.get("function") == FUNCTION:
            out["invocations"][labels.get("outcome", "?")] = int(value)
        elif name == "lambdastorm_emulator_throttles_total":
            out["throttles"][labels.get("reason", "?")] = out["throttles"].get(labels.get("reason", "?"), 0) + int(value)
        elif name == "lambdastorm_emulator_rejected_invocations_total":
            out["rejected"][labels.get("reason", "?")] = int(value)
        elif name == "lambdastorm_emulator_cold_starts_total" and labels.get("function") == FUNCTION:
            out["coldStarts"] = int(value)
    return out


def snapshot(url, pid, path):
    snap = {"machine": _machine_cpu(), "emulator": _process(pid)}
    snap["metrics"] = _metrics(url)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(snap, f)


def _load(path, default=None):
    if not os.path.exists(path):
        return default
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _dsum(after, before):
    keys = set(after) | set(before)
    return {k: after.get(k, 0) - before.get(k, 0) for k in keys if after.get(k, 0) - before.get(k, 0)}


def emulator_delta(parts, name):
    """What the emulator and the machine did between NAME.before.json and NAME.after.json."""
    b = _load(os.path.join(parts, name + ".before.json"))
    a = _load(os.path.join(parts, name + ".after.json"))
    if not a or not b:
        return {}
    inv = _dsum(a["metrics"]["invocations"], b["metrics"]["invocations"])
    ea, eb = a["emulator"], b["emulator"]
    out = {
        "invocations": sum(inv.values()),
        "invocationsByOutcome": inv,
        "throttles": sum(_dsum(a["metrics"]["throttles"], b["metrics"]["throttles"]).values()),
        "rejected": sum(_dsum(a["metrics"]["rejected"], b["metrics"]["rejected"]).values()),
        "coldStarts": a["metrics"]["coldStarts"] - b["metrics"]["coldStarts"],
        "cpuSeconds": round(((ea["cpuTicks"] or 0) - (eb["cpuTicks"] or 0)) / HZ, 2),
        "threads": ea["threads"],
        "contextSwitches": (ea["voluntaryCtxt"] + ea["involuntaryCtxt"]) - (eb["voluntaryCtxt"] + eb["involuntaryCtxt"]),
        "busySeconds": round((a["machine"]["busyTicks"] - b["machine"]["busyTicks"]) / HZ, 2),
        "stealSeconds": round((a["machine"]["stealTicks"] - b["machine"]["stealTicks"]) / HZ, 2),
    }
    if out["invocations"]:
        out["cpuUsPerInvocation"] = round(1e6 * out["cpuSeconds"] / out["invocations"], 1)
        out["contextSwitchesPerInvocation"] = round(out["contextSwitches"] / out["invocations"], 2)
    return out


def _driver_time(parts, name):
    path = os.path.join(parts, name + ".time")
    return lsbench.parse_gnutime(path) if os.path.exists(path) else {}


def _with_machine(row, parts, name):
    """Adds the emulator's figures and the CPU used by anything other than the driver and the emulator."""
    row.update(_driver_time(parts, name))
    emu = emulator_delta(parts, name)
    row["emulator"] = emu
    if emu:
        row["otherCpuSeconds"] = round(max(0.0, emu["busySeconds"] - row.get("cpuSeconds", 0.0) - emu["cpuSeconds"]), 2)
    return row


def _results_folder(parts, name):
    dirs = [d for d in glob.glob(os.path.join(parts, "..", "results", name, "*")) if os.path.isdir(d)]
    return dirs[0] if dirs else None


# --- rows --------------------------------------------------------------------------------------------------------------


def closed_row(parts, name):
    folder = _results_folder(parts, name)
    with open(os.path.join(folder, "summary.json"), encoding="utf-8") as f:
        s = json.load(f)
    outcomes = {}
    for o in s["outcomes"]:
        outcomes[o["outcome"]] = outcomes.get(o["outcome"], 0) + o["count"]
    t = s["totals"]
    lam = s.get("lambda") or {}
    row = {
        "tool": "lambdastorm",
        "path": s["paths"][0]["path"] if s.get("paths") else None,
        "modelInvocations": lam.get("invocations"),
        "modelThrottles": (lam.get("syncThrottles") or 0) + (lam.get("asyncThrottles") or 0) if lam else None,
        "modelPeakConcurrency": lam.get("peakAccountConcurrency"),
        "coldStarts": lam.get("coldStarts"),
        "name": name,
        "folder": os.path.relpath(folder, os.path.join(parts, "..")),
        "status": s["status"],
        "requests": t["completed"],
        "seconds": s["scheduleSeconds"],
        # completions over the keep-constant phase (as the load-engine benchmark counts them)
        "rps": round(t["completed"] / s["scheduleSeconds"], 1) if s["scheduleSeconds"] else None,
        "outcomes": outcomes,
        "errors": sum(v for k, v in outcomes.items() if k != "ok"),
        "throttled": outcomes.get("throttled", 0),
        "dropped": t["dropped"],
        "latencyMs": {k: s["latencyMs"].get(k) for k in ("p50", "p90", "p99", "p99_9", "max")},
    }
    return _with_machine(row, parts, name)


def hey_row(parts, name):
    row = lsbench.parse_hey(os.path.join(parts, name + ".log"))
    row["name"] = name
    row["errors"] = row.get("errors", 0) + sum(v for k, v in row.get("statusCounts", {}).items() if not k.startswith("2"))
    row["throttled"] = row.get("statusCounts", {}).get("429", 0)
    return _with_machine(row, parts, name)


def open_step(parts, name, rate, window):
    folder = _results_folder(parts, name)
    row = lsbench.run_summary(folder, float(rate), window)
    row["name"] = name
    row["folder"] = os.path.relpath(folder, os.path.join(parts, ".."))
    _with_machine(row, parts, name)
    with open(os.path.join(parts, name + ".json"), "w", encoding="utf-8") as f:
        json.dump(row, f, indent=2)
    return row


def assemble(out):
    parts = os.path.join(out, "parts")
    machine = _load(os.path.join(parts, "machine.json"))
    closed = []
    for c in machine["connections"]:
        pair = {"copies": c}
        if os.path.exists(os.path.join(parts, "closed-lambdastorm-%d.before.json" % c)):
            pair["lambdastorm"] = closed_row(parts, "closed-lambdastorm-%d" % c)
        if os.path.exists(os.path.join(parts, "closed-hey-%d.log" % c)):
            pair["hey"] = hey_row(parts, "closed-hey-%d" % c)
        if pair.get("lambdastorm", {}).get("rps") and pair.get("hey", {}).get("rps"):
            pair["ratioToHey"] = round(pair["lambdastorm"]["rps"] / pair["hey"]["rps"], 3)
        closed.append(pair)
    embedded = []
    for fn in sorted(os.listdir(parts)):
        if fn.startswith("embedded-sync-") and fn.endswith(".before.json"):
            embedded.append(closed_row(parts, fn[:-len(".before.json")]))
    steps = []
    for fn in os.listdir(parts):
        if fn.startswith("open-") and fn.endswith(".json") and not fn.endswith((".before.json", ".after.json")):
            steps.append(_load(os.path.join(parts, fn)))
    steps.sort(key=lambda r: r["requestedRate"])
    best = None
    for r in steps:
        if not r["sustained"]:
            break
        best = r["requestedRate"]
    emulator = lsbench.parse_gnutime(os.path.join(out, "emulator.time")) if os.path.exists(os.path.join(out, "emulator.time")) else {}
    total = emulator_delta(parts, "whole")
    result = {"machine": machine, "closed": closed, "embedded": embedded, "open": {"steps": steps, "highestSustained": best},
              "emulatorProcess": emulator, "emulatorWhole": total}
    with open(os.path.join(out, "results.json"), "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)


# --- report ------------------------------------------------------------------------------------------------------------


def _r(v):
    return lsbench.fmt_rate(v)


def _n(v, pattern="%.1f"):
    return lsbench.fmt_num(v, pattern)


def report(results_path, out_path):
    r = _load(results_path)
    m = r["machine"]
    lines = []
    w = lines.append
    w("Run of %s: %s cores (%s), %s memory, kernel %s, .NET SDK %s, hey %s; LambdaStorm %s%s.%s" % (
        m["startedAt"], m["nproc"], m["cpuModel"], m["memTotal"], m["kernel"], m["dotnet"], m["hey"], m["commit"],
        " (working tree with local changes under src/)" if m.get("srcDirty") else "",
        " **Quick smoke run: not comparable.**" if m.get("quick") else ""))
    w("")
    w("#### Closed model: invocations per second (%s s each, one driver at a time, same emulator process)" % m["closedSeconds"])
    w("")
    w("| copies / -c | driver | requests | **invocations/s** | not 200 | emulator invocations (`/metrics`) | throttles | driver CPU s "
      "| emulator CPU s | emulator µs CPU / inv | emulator ctx switches / inv | other CPU s | LambdaStorm / hey |")
    w("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for pair in r["closed"]:
        for key in ("lambdastorm", "hey"):
            row = pair.get(key)
            if not row:
                continue
            e = row.get("emulator", {})
            match = "" if e.get("invocations") == row.get("requests") else " (≠)"
            w("| %s | %s | %s | **%s** | %s | %s%s | %s | %s | %s | %s | %s | %s | %s |" % (
                pair["copies"], "LambdaStorm (http, unsigned)" if key == "lambdastorm" else "hey", _r(row.get("requests")),
                _r(row.get("rps")), row.get("errors", 0), _r(e.get("invocations")), match, e.get("throttles", "–"),
                _n(row.get("cpuSeconds"), "%.2f"), _n(e.get("cpuSeconds"), "%.2f"), _n(e.get("cpuUsPerInvocation")),
                _n(e.get("contextSwitchesPerInvocation"), "%.2f"), _n(row.get("otherCpuSeconds"), "%.2f"),
                ("**%.2f**" % pair["ratioToHey"]) if key == "lambdastorm" and pair.get("ratioToHey") else "–"))
    w("")
    if r.get("embedded"):
        w("#### For reference: LambdaStorm's `sync` path (SigV4-signed, log tail on every call) against the emulator "
          "that `run` embeds (one process for both; not comparable with hey)")
        w("")
        w("| copies | requests | req/s | not ok | model invocations | throttles | model peak concurrency | CPU s (driver + emulator) "
          "| µs CPU / inv | other CPU s | vs LambdaStorm http, same copies |")
        w("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for row in r["embedded"]:
            c = int(row["name"].rsplit("-", 1)[1])
            http = next((p.get("lambdastorm") for p in r["closed"] if p["copies"] == c), None) or {}
            http_cpu = (http.get("cpuSeconds") or 0) + (http.get("emulator", {}).get("cpuSeconds") or 0)
            w("| %d | %s | **%s** | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                c, _r(row.get("requests")), _r(row.get("rps")), row.get("errors", 0), _r(row.get("modelInvocations")),
                row.get("modelThrottles", "–"), row.get("modelPeakConcurrency", "–"), _n(row.get("cpuSeconds"), "%.2f"),
                _n(1e6 * row["cpuSeconds"] / row["requests"]) if row.get("cpuSeconds") and row.get("requests") else "–",
                _n(row.get("otherCpuSeconds"), "%.2f"),
                ("%.2f× the req/s, %.2f× the CPU per invocation" % (
                    row["rps"] / http["rps"], (row["cpuSeconds"] / row["requests"]) / (http_cpu / http["requests"])))
                if http.get("rps") and row.get("rps") and http_cpu and row.get("cpuSeconds") else "–"))
        w("")
    o = r["open"]
    w("#### Open model: highest sustained invocation rate (LambdaStorm, %s s ramp, then %s s held per step)" % (
        m["rampSeconds"], m["stepSeconds"]))
    w("")
    w("| requested /s | started /s | achieved | dropped | lateness p99 ms | latency p99 ms | not ok "
      "| emulator invocations | driver CPU s | emulator CPU s | emulator µs CPU / inv | other CPU s | sustained |")
    w("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for row in o["steps"]:
        e = row.get("emulator", {})
        l = row.get("latenessMs") or {}
        errs = sum(v for k, v in row["outcomes"].items() if k != "ok")
        w("| %s | %s | %.2f%% | %.3f%% | %s | %s | %d | %s | %s | %s | %s | %s | %s |" % (
            _r(row["requestedRate"]), _r(row["achievedInWindow"]), row["achievedPct"], row["droppedPct"],
            lsbench.fmt_ms(l.get("p99")), lsbench.fmt_ms(row["whole"]["latencyMs"].get("p99")), errs,
            _r(e.get("invocations")), _n(row.get("cpuSeconds"), "%.2f"), _n(e.get("cpuSeconds"), "%.2f"),
            _n(e.get("cpuUsPerInvocation")), _n(row.get("otherCpuSeconds"), "%.2f"),
            "yes" if row["sustained"] else "**no**"))
    w("")
    best = o["highestSustained"]
    w("- Highest sustained rate: %s" % (("**%s/s**" % _r(best)) if best else "none of the steps"))
    ep, ew = r.get("emulatorProcess", {}), r.get("emulatorWhole", {})
    if ep:
        w("- Emulator process over the whole run (`/usr/bin/time -v`): %s CPU s, max RSS %s MiB, %s threads at the end; "
          "%s invocations, %s throttles, %s rejected, %s cold starts (from `/metrics`)." % (
              _n(ep.get("cpuSeconds"), "%.2f"), _n(ep.get("maxRssMiB")), ew.get("threads", "–"),
              _r(ew.get("invocations")), ew.get("throttles", "–"), ew.get("rejected", "–"), ew.get("coldStarts", "–")))
    with open(out_path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def main(argv):
    if not argv:
        print(__doc__, file=sys.stderr)
        return 1
    cmd = argv[0]
    if cmd == "free-port":
        print(lsbench.free_port())
    elif cmd == "snapshot":
        snapshot(argv[1], argv[2], argv[3])
    elif cmd == "open-step":
        a, b = (float(x) for x in argv[4].split(","))
        row = open_step(argv[1], argv[2], argv[3], (a, b))
        print("yes" if row["sustained"] else "no")
    elif cmd == "other-cpu":
        row = _with_machine({}, argv[1], argv[2])
        print("%.2f" % row.get("otherCpuSeconds", 0.0))
    elif cmd == "closed-rps":
        print("%.0f" % (closed_row(argv[1], argv[2])["rps"] or 0))
    elif cmd == "assemble":
        assemble(argv[1])
    elif cmd == "report":
        report(argv[1], argv[2])
    else:
        print("unknown command %s" % cmd, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
