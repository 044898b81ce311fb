"""Turns bench/out/sqs/results.jsonl (one line per run, from run.sh) into the markdown table of docs/BENCHMARKS.md.

    python3 bench/sqs/report.py bench/out/sqs/results.jsonl bench/out/sqs/results.md WORKERS SECONDS PREFILL
"""
import json
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
out, workers, seconds, prefill = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
by = {(r["server"], r["client"], r["mode"]): r for r in rows}
order = ["AWSSDK.SQS", "@aws-sdk/client-sqs", "hey (raw JSON)"]
clients = sorted({r["client"] for r in rows}, key=lambda c: order.index(c) if c in order else 9)
modes = ["send", "send-batch", "receive-delete"]


def rate(r):
    return f"{r['rate']:,.0f}" if r else "–"


def cpu_per_message(r):
    # Server CPU (user + system) per message moved: robust to a client that is the bottleneck.
    return f"{r['server_cpu_seconds'] * 1e6 / r['messages']:,.0f}" if r and r["messages"] else "–"


lines = [
    f"{workers} concurrent calls; {seconds} s per send run; {prefill} messages drained by receive-and-delete.",
    "",
    "| mode | client | lambdastorm msg/s | fauxqs msg/s | ratio | lambdastorm server CPU µs/msg | fauxqs server CPU µs/msg | errors |",
    "|---|---|---:|---:|---:|---:|---:|---:|",
]
for mode in modes:
    for client in clients:
        a, b = by.get(("lambdastorm", client, mode)), by.get(("fauxqs", client, mode))
        if not a:
            continue
        ratio = f"{a['rate'] / b['rate']:.2f}" if b and b["rate"] else "–"
        errors = f"{a['errors']}" + ("" if not b else f" / {b['errors']}")
        lines.append(f"| {mode} | {client} | {rate(a)} | {rate(b)} | {ratio} | {cpu_per_message(a)} | {cpu_per_message(b)} | {errors} |")
open(out, "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
