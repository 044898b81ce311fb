#!/usr/bin/env python3
"""Builds results.json and results.md from a bench/simulate/run.sh output folder (bench/out/simulate)."""
import glob
import json
import os
import re
import statistics
import sys

OUT = sys.argv[1] if len(sys.argv) > 1 else "bench/out/simulate"
AGREE_PCT = 5.0  # "within a few %": a larger difference is flagged as a miss


def parse_time(path):
    text = open(path, encoding="utf-8").read()

    def field(label):
        m = re.search(re.escape(label) + r":\s*(.+)", text)
        return m.group(1).strip() if m else None

    wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)")
    parts = [float(p) for p in wall.split(":")]
    seconds = 0.0
    for p in parts:
        seconds = seconds * 60 + p
    return {
        "wallSeconds": seconds,
        "userSeconds": float(field("User time (seconds)")),
        "systemSeconds": float(field("System time (seconds)")),
        "cpuPercent": int(field("Percent of CPU this job got").rstrip("%")),
        "maxRssKb": int(field("Maximum resident set size (kbytes)")),
    }


def load_runs():
    runs = {}
    for d in sorted(glob.glob(os.path.join(OUT, "runs", "*"))):
        label = os.path.basename(d)
        mode, scenario = open(os.path.join(d, "what"), encoding="utf-8").read().split()
        summaries = glob.glob(os.path.join(d, "results", "*", "summary.json"))
        if len(summaries) != 1:
            raise SystemExit(f"{d}: expected one summary.json, found {len(summaries)}")
        s = json.load(open(summaries[0], encoding="utf-8"))
        lam = s.get("lambda") or {}
        m = re.match(r".*-(\d+)$", label)
        runs[label] = {
            "label": label,
            "mode": mode,
            "scenario": scenario,
            "repeat": int(m.group(1)) if m else 1,
            "loadavg": open(os.path.join(d, "loadavg"), encoding="utf-8").read().strip(),
            **parse_time(os.path.join(d, "time.txt")),
            "status": s["status"],
            "simulated": s["simulated"],
            "scheduleSeconds": s["scheduleSeconds"],
            "durationSeconds": s["durationSeconds"],
            "offered": s["totals"]["started"],
            "dropped": s["totals"]["dropped"],
            "invocations": lam.get("invocations"),
            "completed": lam.get("completed"),
            "throttles": (lam.get("syncThrottles") or 0) + (lam.get("asyncThrottles") or 0),
            "coldStarts": lam.get("coldStarts"),
            "peakConcurrency": lam.get("peakAccountConcurrency"),
            "latencyP50Ms": s["latencyMs"].get("p50"),
            "latencyP99Ms": s["latencyMs"].get("p99"),
            "latenessP99Ms": s["latenessMs"].get("p99"),
            "warnings": s.get("warnings", []),
        }
    return runs


def pct_diff(a, b):
    if a == b:
        return 0.0
    return 100.0 * (a - b) / max(abs(a), abs(b))


def n(x):
    return f"{x:,}" if isinstance(x, int) else f"{x:,.0f}"


def main():
    runs = load_runs()
    memory = json.load(open(os.path.join(OUT, "memory.json"), encoding="utf-8"))
    machine = open(os.path.join(OUT, "machine.txt"), encoding="utf-8").read()

    startup = [r for r in runs.values() if r["scenario"] == "startup"]
    startup_wall = statistics.mean(r["wallSeconds"] for r in startup) if startup else 0.0

    startup_cpu = statistics.mean(r["userSeconds"] + r["systemSeconds"] for r in startup) if startup else 0.0
    # Fixed CPU cost per simulated second, from the hour at 10/s (its 36,000 invocations are a rounding error).
    idle = [r for r in runs.values() if r["scenario"] == "hour-10"]
    per_second_cpu = (statistics.mean((r["userSeconds"] + r["systemSeconds"] - startup_cpu) / r["durationSeconds"] for r in idle)
                      if idle else 0.0)

    speed = [r for r in runs.values() if r["scenario"] in ("hour-10", "hour-1k", "tenk-10k")]
    for r in speed:
        r["invocationsPerWallSecond"] = r["invocations"] / r["wallSeconds"]
        r["invocationsPerSecondNetOfStartup"] = r["invocations"] / max(1e-9, r["wallSeconds"] - startup_wall)
        r["speedUp"] = r["scheduleSeconds"] / r["wallSeconds"]
        r["invocationsPerCpuSecond"] = r["invocations"] / (r["userSeconds"] + r["systemSeconds"])
        cpu = r["userSeconds"] + r["systemSeconds"]
        r["cpuStartup"] = startup_cpu
        r["cpuPerSimulatedSecond"] = per_second_cpu * r["durationSeconds"]
        r["cpuInvocations"] = cpu - startup_cpu - r["cpuPerSimulatedSecond"]
        r["microsecondsPerInvocation"] = 1e6 * r["cpuInvocations"] / r["invocations"]

    peers = []
    for r in runs.values():
        if r["mode"] != "run":
            continue
        sim = runs.get(r["label"].replace("-run-", "-simulate-"))
        if sim is None:
            continue
        row = {
            "scenario": r["scenario"],
            "repeat": r["repeat"],
            "wallRun": r["wallSeconds"],
            "wallSimulate": sim["wallSeconds"],
            "wallRatio": r["wallSeconds"] / sim["wallSeconds"],
            "cpuRun": r["userSeconds"] + r["systemSeconds"],
            "cpuSimulate": sim["userSeconds"] + sim["systemSeconds"],
        }
        for k in ("offered", "invocations", "throttles", "coldStarts"):
            row[k + "Run"] = r[k]
            row[k + "Simulate"] = sim[k]
            row[k + "DiffPct"] = pct_diff(r[k], sim[k])
        row["agree"] = all(abs(row[k + "DiffPct"]) <= AGREE_PCT for k in ("offered", "invocations", "throttles", "coldStarts"))
        peers.append(row)

    models = []
    sim_by_case = {"1 h at 1,000/s": "hour-1k", "10 min at 10,000/s": "tenk-10k"}
    for path in sorted(glob.glob(os.path.join(OUT, "model-*.json"))):
        repeat = int(re.search(r"model-(\d+)\.json$", path).group(1))
        for m in json.load(open(path, encoding="utf-8")):
            m["repeat"] = repeat
            sims = [r for r in speed if r["scenario"] == sim_by_case.get(m["name"])]
            same = sims and all((r["offered"], r["invocations"], r["throttles"], r["coldStarts"]) ==
                                (m["offered"], m["invocations"], m["throttles"], m["coldStarts"]) for r in sims)
            m["sameAsSimulate"] = "yes" if same else ("**no**" if sims else "-")
            models.append(m)

    json.dump({"machine": machine, "startupWallSeconds": startup_wall, "startupCpuSeconds": startup_cpu,
               "cpuSecondsPerSimulatedSecond": per_second_cpu, "runs": list(runs.values()), "peers": peers, "memory": memory, "modelAlone": models},
              open(os.path.join(OUT, "results.json"), "w", encoding="utf-8"), indent=2)

    md = []
    md.append("### Machine\n\n```\n" + machine.strip() + "\n```\n")
    md.append(f"Process start-up and teardown (simulate of 1 s at 1/s, mean of {len(startup)}): {startup_wall:.2f} s wall.\n")
    md.append("### simulate speed\n")
    md.append("| scenario | # | load avg at start | offered | model invocations | throttles | cold starts | wall s | CPU % | max RSS MB | model invocations / wall s | net of start-up | per CPU s | speed-up over real time |")
    md.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in sorted(speed, key=lambda r: (["hour-10", "hour-1k", "tenk-10k"].index(r["scenario"]), r["repeat"])):
        name = {"hour-10": "1 h at 10/s", "hour-1k": "1 h at 1,000/s", "tenk-10k": "10 min at 10,000/s"}[r["scenario"]]
        if r["scheduleSeconds"] not in (3600, 600):
            name += f" ({r['scheduleSeconds']:.0f} s, quick)"
        md.append(f"| {name} | {r['repeat']} | {r['loadavg']} | {n(r['offered'])} | {n(r['invocations'])} | {n(r['throttles'])} | {n(r['coldStarts'])} | "
                  f"{r['wallSeconds']:.2f} | {r['cpuPercent']} | {r['maxRssKb'] / 1024:.0f} | {n(r['invocationsPerWallSecond'])} | "
                  f"{n(r['invocationsPerSecondNetOfStartup'])} | {n(r['invocationsPerCpuSecond'])} | {r['speedUp']:.0f}x |")
    md.append("")
    md.append("Where the CPU time goes (CPU = user + system from `/usr/bin/time`; start-up = the 1 s run; per simulated second = "
              f"the hour at 10/s net of start-up, {1000 * per_second_cpu:.2f} ms of CPU per simulated second; the rest is the invocations):\n")
    md.append("| scenario | # | CPU s | start-up | per simulated second | invocations | CPU µs per invocation |")
    md.append("|---|---:|---:|---:|---:|---:|---:|")
    for r in sorted(speed, key=lambda r: (["hour-10", "hour-1k", "tenk-10k"].index(r["scenario"]), r["repeat"])):
        if r["scenario"] == "hour-10":
            continue
        md.append(f"| {r['scenario']} | {r['repeat']} | {r['userSeconds'] + r['systemSeconds']:.1f} | {r['cpuStartup']:.1f} | "
                  f"{r['cpuPerSimulatedSecond']:.1f} | {r['cpuInvocations']:.1f} | {r['microsecondsPerInvocation']:.2f} |")
    md.append("")
    md.append("### Side by side: `run` (real time) and `simulate` (virtual time), same scenario, same model\n")
    md.append("| scenario | # | wall run s | wall simulate s | run / simulate | CPU s run / simulate | offered run / sim | invocations run / sim (diff) | throttles run / sim (diff) | cold starts run / sim (diff) | within 5% |")
    md.append("|---|---:|---:|---:|---:|---|---|---|---|---|---|")
    for p in sorted(peers, key=lambda p: (p["scenario"], p["repeat"])):
        md.append(f"| {p['scenario']} | {p['repeat']} | {p['wallRun']:.2f} | {p['wallSimulate']:.2f} | {p['wallRatio']:.0f}x | "
                  f"{p['cpuRun']:.2f} / {p['cpuSimulate']:.2f} | {n(p['offeredRun'])} / {n(p['offeredSimulate'])} | "
                  f"{n(p['invocationsRun'])} / {n(p['invocationsSimulate'])} ({p['invocationsDiffPct']:+.1f}%) | "
                  f"{n(p['throttlesRun'])} / {n(p['throttlesSimulate'])} ({p['throttlesDiffPct']:+.1f}%) | "
                  f"{n(p['coldStartsRun'])} / {n(p['coldStartsSimulate'])} ({p['coldStartsDiffPct']:+.1f}%) | {'yes' if p['agree'] else '**no**'} |")
    md.append("")
    md.append("Latency of the side-by-side runs (from the intended start; lateness is how late the generator fired):\n")
    md.append("| run | p50 ms | p99 ms | lateness p99 ms |")
    md.append("|---|---:|---:|---:|")
    for r in sorted((r for r in runs.values() if r["scenario"].startswith("peer-")), key=lambda r: r["label"]):
        md.append(f"| {r['label']} | {r['latencyP50Ms']:.1f} | {r['latencyP99Ms']:.1f} | {r['latenessP99Ms']:.2f} |")
    md.append("")
    if models:
        md.append("### The model alone (`bench/LambdaStorm.Bench model`: VirtualTimeSimulation + ModelStatistics, no engine, no journal)\n")
        md.append("| case | # | offered | model invocations | throttles | cold starts | wall s | CPU s | model invocations / wall s | per CPU s | speed-up over real time | simulate's counts identical |")
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for m in models:
            md.append(f"| {m['name']} | {m['repeat']} | {n(m['offered'])} | {n(m['invocations'])} | {n(m['throttles'])} | {n(m['coldStarts'])} | "
                      f"{m['wallSeconds']:.2f} | {m['cpuSeconds']:.2f} | {n(m['invocationsPerWallSecond'])} | {n(m['invocationsPerCpuSecond'])} | "
                      f"{m['speedUp']:.0f}x | {m['sameAsSimulate']} |")
        md.append("")
    md.append("### Memory for warm environments (`bench/LambdaStorm.Bench memory`)\n")
    md.append("| case | environments | warm idle after | heap before | heap, all busy | heap, all warm idle | bytes / busy invocation | bytes / warm environment |")
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|")
    for c in memory["cases"]:
        md.append(f"| {c['name']} | {n(c['environments'])} | {n(c['warmIdleAfter'])} | {n(c['heapBeforeBytes'])} | {n(c['heapBusyBytes'])} | "
                  f"{n(c['heapWarmBytes'])} | {c['bytesPerBusyInvocation']:.0f} | {c['bytesPerWarmEnvironment']:.0f} |")
    md.append("")
    warnings = [f"{r['label']}: {w}" for r in runs.values() for w in r["warnings"]]
    if warnings:
        md.append("Warnings in the runs:\n")
        md.extend(f"- {w}" for w in warnings)
        md.append("")
    open(os.path.join(OUT, "results.md"), "w", encoding="utf-8").write("\n".join(md))


if __name__ == "__main__":
    main()
