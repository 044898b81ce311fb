#!/usr/bin/env python3
"""Helper for bench/run.sh (Python 3 standard library only).

Subcommands:
  free-port                      print a free TCP port on 127.0.0.1
  run-summary DIR RATE [--window A,B] [--name N --time F --cpu F --out F]
                                 read one LambdaStorm results folder (summary.json + journal.jsonl); print the
                                 figures the benchmark needs as JSON, or with --out write them and print yes/no
                                 (sustained or not)
  wrk FILE                       parse `wrk` output into JSON
  hey FILE                       parse `hey` output into JSON
  gnutime FILE                   parse `/usr/bin/time -v` output into JSON (cpu seconds, max RSS)
  other-cpu PARTS NAME...        CPU seconds used by anything else during the named measurements
  assemble OUT                   collect OUT/parts/* into OUT/results.json (targets, ratios, highest sustained)
  report RESULTS.json OUT.md     render the markdown tables from results.json

The journal carries one HdrHistogram per interval (compressed V2 form, base64). The decoder below reads it so that
the benchmark can judge the hold window after the warm-up ramp on its own (see bench/README.md, "sustained"),
without any .NET code.
"""

import base64
import json
import math
import os
import re
import socket
import struct
import sys
import zlib

# --- HdrHistogram compressed V2 decoding ---------------------------------------------------------------------------

V2_COMPRESSED_COOKIE = 0x1C849314
V2_COOKIE = 0x1C849313


class Hist:
    """A decoded HdrHistogram: counts by bucket index plus the settings needed to map indices to values."""

    def __init__(self, lowest, highest, digits):
        largest_single_unit = 2 * 10 ** digits
        self.unit_magnitude = int(math.floor(math.log2(lowest)))
        sub_bucket_count_magnitude = int(math.ceil(math.log2(largest_single_unit)))
        self.sub_bucket_half_count_magnitude = max(sub_bucket_count_magnitude, 1) - 1
        self.sub_bucket_half_count = 1 << self.sub_bucket_half_count_magnitude
        self.counts = {}
        self.total = 0
        self.settings = (lowest, highest, digits)

    def add(self, other):
        for i, c in other.counts.items():
            self.counts[i] = self.counts.get(i, 0) + c
        self.total += other.total

    def _bucket(self, index):
        bucket = (index >> self.sub_bucket_half_count_magnitude) - 1
        sub = (index & (self.sub_bucket_half_count - 1)) + self.sub_bucket_half_count
        if bucket < 0:
            sub -= self.sub_bucket_half_count
            bucket = 0
        return bucket, sub

    def highest_equivalent(self, index):
        bucket, sub = self._bucket(index)
        shift = bucket + self.unit_magnitude
        return (sub << shift) + (1 << shift) - 1

    def percentile(self, p):
        """Same rule as HdrHistogram.NET GetValueAtPercentile (value in the histogram's unit)."""
        if self.total == 0:
            return 0
        want = max(1, int((min(max(p, 0.0), 100.0) / 100.0) * self.total + 0.5))
        acc = 0
        for i in sorted(self.counts):
            acc += self.counts[i]
            if acc >= want:
                return self.highest_equivalent(i)
        return self.highest_equivalent(max(self.counts))

    def max(self):
        return self.highest_equivalent(max(self.counts)) if self.counts else 0


def _zigzag_stream(data, pos, end):
    while pos < end:
        shift = 0
        value = 0
        while True:
            b = data[pos]
            pos += 1
            value |= (b & 0x7F) << shift
            if b & 0x80 == 0 or shift == 56:
                if shift == 56:
                    value |= (b & 0xFF) << 56  # 9th byte carries a full 8 bits (LEB128-64b9B)
                break
            shift += 7
        yield (value >> 1) ^ -(value & 1)


def decode_hist(b64):
    raw = base64.b64decode(b64)
    cookie, length = struct.unpack(">ii", raw[:8])
    if cookie != V2_COMPRESSED_COOKIE:
        raise ValueError("not a compressed V2 histogram (cookie %x)" % cookie)
    # The .NET encoder's deflate stream has no final checksum, so decompress in streaming mode.
    payload = zlib.decompressobj().decompress(raw[8:8 + length])
    cookie, plen, _norm, digits, lowest, highest, _ratio = struct.unpack(">iiiiqqd", payload[:40])
    if cookie != V2_COOKIE:
        raise ValueError("unexpected inner cookie %x" % cookie)
    h = Hist(lowest, highest, digits)
    index = 0
    for v in _zigzag_stream(payload, 40, 40 + plen):
        if v < 0:
            index += -v
        else:
            if v:
                h.counts[index] = h.counts.get(index, 0) + v
                h.total += v
            index += 1
    return h


# --- LambdaStorm results ---------------------------------------------------------------------------------------------


def run_summary(folder, rate, window):
    """Figures of one run. window = (start, end) in seconds: the hold phase after the ramp, where rates, drops and
    lateness are judged; the whole-run figures from summary.json (ramp included) are kept beside them."""
    with open(os.path.join(folder, "summary.json"), encoding="utf-8") as f:
        s = json.load(f)
    w0, w1 = window
    started = offered = dropped = 0.0
    lateness = None
    outcomes = {}
    with open(os.path.join(folder, "journal.jsonl"), encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            if rec.get("type") != "interval":
                continue
            # Intervals are 1 s long from the run start. The last one may be cut by the end of the run rather than by
            # the snapshot timer (it then ends a few ms after the schedule): an interval straddling a window edge
            # counts in proportion to its part inside the window.
            # The run's final interval ends when the last call has finished, a few ms after the schedule; starts in
            # it that are up to 50 ms past the window end still count as in time.
            start, end = rec["start"], rec["end"]
            edge = end if w1 < end <= w1 + 0.05 else w1
            inside = max(0.0, min(end, edge) - max(start, w0))
            share = inside / (end - start) if end > start else 0.0
            if share <= 0:
                continue
            for p in rec.get("paths", []):
                started += p["started"] * share
                offered += p["offered"] * share
                dropped += p["dropped"] * share
                # Lateness histograms cannot be split; an interval counts if it is mostly inside the window.
                if share >= 0.5 and p.get("lateness"):
                    h = decode_hist(p["lateness"])
                    if lateness is None:
                        lateness = h
                    else:
                        lateness.add(h)
            for series in rec.get("series", []):
                outcomes[series["outcome"]] = outcomes.get(series["outcome"], 0) + series["count"]
    t = s["totals"]
    seconds = w1 - w0
    out = {
        "folder": folder,
        "status": s["status"],
        "requestedRate": rate,
        "window": [w0, w1],
        "startedInWindow": int(round(started)),
        "offeredInWindow": int(round(offered)),
        "dropped": int(round(dropped)),
        "droppedPct": 100.0 * dropped / offered if offered else 0.0,
        "achievedInWindow": started / seconds if seconds > 0 else 0.0,
        "achievedPct": 100.0 * started / (rate * seconds) if rate and seconds > 0 else 0.0,
        "outcomes": outcomes,
        "latenessMs": None,
        "whole": {
            "scheduleSeconds": s["scheduleSeconds"],
            "scheduled": t["scheduledArrivals"],
            "offered": t["offered"],
            "started": t["started"],
            "dropped": t["dropped"],
            "completed": t["completed"],
            "latenessMs": s["latenessMs"],
            "latencyMs": s["latencyMs"],
        },
        "completed": t["completed"],
        "throughput": s["rates"]["throughput"],
        "errorRate": s["rates"]["errorRate"],
        "latencyMs": s["latencyMs"],
        "durationSeconds": s["durationSeconds"],
    }
    if lateness is not None:
        out["latenessMs"] = {
            "count": lateness.total,
            "p50": lateness.percentile(50) / 1000.0,
            "p99": lateness.percentile(99) / 1000.0,
            "p99_9": lateness.percentile(99.9) / 1000.0,
            "max": lateness.max() / 1000.0,
        }
    # "Sustained" (bench/README.md): in the hold window at least 99% of the requested arrivals started, fewer than
    # 0.1% were dropped, no call ended in a timeout or transport error, and the run completed.
    bad = sum(v for k, v in outcomes.items() if k in ("timeout", "transport_error"))
    out["sustained"] = (
        out["status"] == "completed"
        and out["achievedPct"] >= 99.0
        and out["droppedPct"] < 0.1
        and bad == 0
    )
    return out


# --- peers -------------------------------------------------------------------------------------------------------------


def _duration_seconds(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)?$", text)
    if not m:
        return None
    v = float(m.group(1))
    return v * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, None: 1.0}[m.group(2)]


def parse_wrk(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    out = {"tool": "wrk"}
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    out["rps"] = float(m.group(1)) if m else None
    m = re.search(r"(\d+) requests in ([\d.]+\w+),", text)
    if m:
        out["requests"] = int(m.group(1))
        out["seconds"] = _duration_seconds(m.group(2))
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    out["non2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    out["socketErrors"] = sum(int(x) for x in m.groups()) if m else 0
    m = re.search(r"Latency\s+(\S+)\s+(\S+)\s+(\S+)", text)
    if m:
        out["latencyAvgMs"] = (_duration_seconds(m.group(1)) or 0) * 1000
    return out


def parse_hey(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    out = {"tool": "hey"}
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    out["rps"] = float(m.group(1)) if m else None
    m = re.search(r"Total:\s+([\d.]+) secs", text)
    out["seconds"] = float(m.group(1)) if m else None
    codes = {c: int(n) for c, n in re.findall(r"\[(\d{3})\]\s+(\d+) responses", text)}
    out["statusCounts"] = codes
    out["requests"] = sum(codes.values())
    m = re.search(r"Error distribution:\n((?:\s+\[\d+\].*\n?)*)", text)
    out["errors"] = sum(int(n) for n in re.findall(r"\[(\d+)\]", m.group(1))) if m else 0
    m = re.search(r"99%% in ([\d.]+) secs".replace("%%", "%"), text)
    if m:
        out["p99Ms"] = float(m.group(1)) * 1000
    return out


def parse_gnutime(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    out = {}
    m = re.search(r"User time \(seconds\): ([\d.]+)", text)
    u = float(m.group(1)) if m else 0.0
    m = re.search(r"System time \(seconds\): ([\d.]+)", text)
    s = float(m.group(1)) if m else 0.0
    out["cpuUserSeconds"] = u
    out["cpuSystemSeconds"] = s
    out["cpuSeconds"] = round(u + s, 2)
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    out["maxRssMiB"] = round(int(m.group(1)) / 1024.0, 1) if m else None
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text)
    if m:
        parts = [float(x) for x in m.group(1).split(":")]
        secs = 0.0
        for x in parts:
            secs = secs * 60 + x
        out["wallSeconds"] = secs
    return out


# --- assemble and report -----------------------------------------------------------------------------------------------


def _load(path, default=None):
    if not os.path.exists(path):
        return default
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _with_cpu(row, parts, name):
    """Adds CPU figures: the tool's own (GNU time), nginx's, and everything else on the machine meanwhile."""
    t = parse_gnutime(os.path.join(parts, name + ".time")) if os.path.exists(os.path.join(parts, name + ".time")) else {}
    c = _load(os.path.join(parts, name + ".cpu.json"), {})
    row.update(t)
    if c:
        row["nginxCpuSeconds"] = c.get("nginxCpuSeconds", 0.0)
        row["stealSeconds"] = c.get("stealSeconds", 0.0)
        row["exitCode"] = c.get("exitCode")
        row["otherCpuSeconds"] = round(max(0.0, c["busySeconds"] - t.get("cpuSeconds", 0.0) - row["nginxCpuSeconds"]), 2)
    return row


def assemble(out):
    parts = os.path.join(out, "parts")
    machine = _load(os.path.join(parts, "machine.json"))
    runs = {}
    for fn in sorted(os.listdir(parts)):
        if fn.endswith(".json") and not fn.endswith(".cpu.json") and fn != "machine.json":
            runs[fn[:-5]] = _load(os.path.join(parts, fn))

    def target_of(name):
        return "noop" if "-noop-" in name else "http"

    fixed = []
    for t in ("noop", "http"):
        for rate in (1000, 10000):
            r = runs.get("fixed-%s-%d" % (t, rate))
            if r:
                fixed.append(dict(r, target=t))
    search = {}
    for t in ("noop", "http"):
        steps = sorted((dict(r, target=t) for n, r in runs.items() if n.startswith("search-%s-" % t)),
                       key=lambda r: r["requestedRate"])
        # Highest sustained: the highest step that passed with every lower step passing too.
        best = None
        for r in steps:
            if not r["sustained"]:
                break
            best = r["requestedRate"]
        search[t] = {"steps": steps, "highestSustained": best}

    tp = {"connections": machine["connections"], "seconds": machine["tpSeconds"]}
    ls = runs.get("tp-lambdastorm")
    if ls:
        tp["lambdastorm"] = {k: ls.get(k) for k in ("completed", "throughput", "errorRate", "outcomes", "latencyMs",
                                                     "cpuSeconds", "maxRssMiB", "nginxCpuSeconds", "otherCpuSeconds")}
        tp["lambdastorm"]["requests"] = ls["completed"]
        # completions over the keep-constant phase (the summary's throughput also divides by the drain)
        tp["lambdastorm"]["rps"] = round(ls["completed"] / ls["whole"]["scheduleSeconds"], 1)
        tp["lambdastorm"]["errors"] = sum(v for k, v in ls["outcomes"].items() if k != "ok")
    for tool, parse in (("wrk", parse_wrk), ("hey", parse_hey)):
        log = os.path.join(parts, "tp-%s.log" % tool)
        if os.path.exists(log):
            row = _with_cpu(parse(log), parts, "tp-" + tool)
            row["errors"] = row.get("errors", 0) + row.get("socketErrors", 0) + row.get("non2xx", 0)
            tp[tool] = row
    for tool in ("wrk", "hey"):
        if tool in tp and "lambdastorm" in tp and tp[tool].get("rps"):
            tp["ratioTo" + tool.capitalize()] = round(tp["lambdastorm"]["rps"] / tp[tool]["rps"], 3)

    targets = []

    def add(name, measured, met):
        targets.append({"name": name, "measured": measured, "met": bool(met)})

    for r in fixed:
        add("%s %s/s: within 1%% of the requested rate" % (r["target"], fmt_rate(r["requestedRate"])),
            "%.2f%% started in the window, %.3f%% dropped" % (r["achievedPct"], r["droppedPct"]),
            abs(r["achievedPct"] - 100.0) <= 1.0 and r["droppedPct"] < 0.1)
    n10 = next((r for r in fixed if r["target"] == "noop" and r["requestedRate"] == 10000), None)
    if n10 and n10["latenessMs"]:
        add("noop 10,000/s: lateness p99 < 2 ms (held window)", "%.3f ms (whole run incl. ramp and start-up: %.3f ms)" % (
            n10["latenessMs"]["p99"], n10["whole"]["latenessMs"]["p99"]), n10["latenessMs"]["p99"] < 2.0)
    if "ratioToWrk" in tp:
        add("HTTP throughput >= 50% of wrk's (closed model, same connections)",
            "%.0f%% (%.0f vs %.0f req/s)" % (100 * tp["ratioToWrk"], tp["lambdastorm"]["rps"], tp["wrk"]["rps"]),
            tp["ratioToWrk"] >= 0.5)

    result = {"machine": machine, "fixedRate": fixed, "search": search, "throughput": tp, "targets": targets}
    with open(os.path.join(out, "results.json"), "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)


def fmt_ms(v):
    return "–" if v is None else ("%.3f" % v)


def fmt_rate(v):
    return "–" if v is None else "{:,.0f}".format(v)


def fmt_num(v, pattern="%.1f"):
    return "–" if v is None else pattern % v


def report(results_path, out_path):
    with open(results_path, encoding="utf-8") as f:
        r = json.load(f)
    lines = []
    w = lines.append
    m = r["machine"]
    w("Run of %s: %s cores (%s), %s memory, kernel %s, .NET SDK %s, %s, %s, %s.%s" % (
        m["startedAt"], m["nproc"], m["cpuModel"], m["memTotal"], m["kernel"], m["dotnet"], m["wrk"], m["hey"],
        m["nginx"], " **Quick smoke run: not comparable.**" if m.get("quick") else ""))
    w("")
    w("#### Open model: lateness at fixed rates (%s s ramp, then %s s held; figures for the held window)" % (m["rampSeconds"], m["fixedSeconds"]))
    w("")
    w("| target | requested /s | started /s | achieved | dropped | lateness p50 ms | p99 ms | p99.9 ms | max ms "
      "| whole run p99 / max ms | CPU s | other CPU s |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in r["fixedRate"]:
        l = row["latenessMs"] or {}
        wl = row["whole"]["latenessMs"]
        w("| %s | %s | %s | %.2f%% | %d | %s | %s | %s | %s | %s / %s | %s | %s |" % (
            row["target"], fmt_rate(row["requestedRate"]), fmt_rate(row["achievedInWindow"]), row["achievedPct"],
            row["dropped"], fmt_ms(l.get("p50")), fmt_ms(l.get("p99")), fmt_ms(l.get("p99_9")), fmt_ms(l.get("max")),
            fmt_ms(wl["p99"]), fmt_ms(wl["max"]), fmt_num(row.get("cpuSeconds")), fmt_num(row.get("otherCpuSeconds"))))
    w("")
    w("#### Open model: highest sustained arrival rate (%s s ramp, then %s s held per step)" % (m["rampSeconds"], m["stepSeconds"]))
    w("")
    w("| target | requested /s | started /s | achieved | dropped | lateness p99 ms | max ms | not ok "
      "| CPU s | nginx CPU s | other CPU s | sustained |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for t in ("noop", "http"):
        for row in r["search"][t]["steps"]:
            l = row["latenessMs"] or {}
            errs = sum(v for k, v in row["outcomes"].items() if k != "ok")
            w("| %s | %s | %s | %.2f%% | %.3f%% | %s | %s | %d | %s | %s | %s | %s |" % (
                t, fmt_rate(row["requestedRate"]), fmt_rate(row["achievedInWindow"]), row["achievedPct"],
                row["droppedPct"], fmt_ms(l.get("p99")), fmt_ms(l.get("max")), errs, fmt_num(row.get("cpuSeconds")),
                fmt_num(row.get("nginxCpuSeconds")) if t == "http" else "–", fmt_num(row.get("otherCpuSeconds")),
                "yes" if row["sustained"] else "**no**"))
    w("")
    for t in ("noop", "http"):
        best = r["search"][t]["highestSustained"]
        w("- Highest sustained on `%s`: %s" % (t, ("**%s/s**" % fmt_rate(best)) if best else "none of the steps"))
    w("")
    tp = r["throughput"]
    w("#### Closed model against nginx: LambdaStorm vs wrk vs hey (%s connections, %s s each)" % (tp["connections"], tp["seconds"]))
    w("")
    w("| tool | requests | req/s | errors | CPU s (user+sys) | nginx CPU s | max RSS MiB | LambdaStorm / tool |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|")
    ls = tp.get("lambdastorm", {}).get("rps")
    for key in ("lambdastorm", "wrk", "hey"):
        row = tp.get(key)
        if not row:
            continue
        ratio = "–" if key == "lambdastorm" or not row.get("rps") or not ls else "**%.2f**" % (ls / row["rps"])
        w("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            key, fmt_rate(row.get("requests")), fmt_rate(row.get("rps")), row.get("errors", 0),
            fmt_num(row.get("cpuSeconds"), "%.2f"), fmt_num(row.get("nginxCpuSeconds"), "%.2f"),
            fmt_num(row.get("maxRssMiB")), ratio))
    w("")
    w("#### Targets")
    w("")
    w("| target | measured | met |")
    w("|---|---|---|")
    for t in r["targets"]:
        w("| %s | %s | %s |" % (t["name"], t["measured"], "yes" if t["met"] else "**no**"))
    with open(out_path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv):
    if not argv:
        print(__doc__, file=sys.stderr)
        return 1
    cmd = argv[0]
    if cmd == "free-port":
        print(free_port())
    elif cmd == "run-summary":
        def opt(flag, default=None):
            return argv[argv.index(flag) + 1] if flag in argv else default
        win = [float(x) for x in opt("--window", "0,1e9").split(",")]
        row = run_summary(argv[1], float(argv[2]), (win[0], win[1]))
        if opt("--name"):
            row["name"] = opt("--name")
            parts = os.path.dirname(opt("--cpu") or opt("--time") or ".")
            _with_cpu(row, parts, row["name"])
        if opt("--out"):
            with open(opt("--out"), "w", encoding="utf-8") as f:
                json.dump(row, f, indent=2)
            print("yes" if row["sustained"] else "no")
        else:
            print(json.dumps(row))
    elif cmd == "wrk":
        print(json.dumps(parse_wrk(argv[1])))
    elif cmd == "hey":
        print(json.dumps(parse_hey(argv[1])))
    elif cmd == "gnutime":
        print(json.dumps(parse_gnutime(argv[1])))
    elif cmd == "other-cpu":
        total = 0.0
        for name in argv[2:]:
            row = _with_cpu({}, argv[1], name)
            total += row.get("otherCpuSeconds", 0.0)
        print("%.2f" % total)
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
