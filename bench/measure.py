#!/usr/bin/env python3
"""The measuring half of bench/speed (which builds the binaries, then runs this).

Runs parse-only (1 thread) and boilerstrip (-j 1, -j 2) on the same HTML folder,
interleaved so that load changes on a shared machine hit every measure alike; each
N times, reporting medians. Then a memory-flatness run (5x the pages, via symlinks)
and a text-page run. Prints a markdown table with PASS/FAIL against the targets.
Standard library only.
"""

import argparse
import datetime
import gzip
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

# Targets (issue 5).
TARGET_J1_VS_PARSE = 0.65  # boilerstrip -j1 pages/s >= this x parse-only
TARGET_J2_VS_J1 = 1.7  # -j2 pages/s >= this x -j1
TARGET_RSS_5X = 1.5  # peak RSS over 5x the pages <= this x the 1x peak
TARGET_TEXT_PPS = 5000  # text pages/s per worker


def log(msg):
    print(f"bench/speed: {msg}", file=sys.stderr, flush=True)


def timed(cmd):
    """Run cmd under GNU time; return (wall seconds, peak RSS in KiB, stdout, CPU seconds)."""
    t0 = time.perf_counter()
    p = subprocess.run(
        ["/usr/bin/time", "-v", *cmd],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"bench/speed: {' '.join(cmd)} failed ({p.returncode}):\n{p.stderr}")
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    if not m:
        sys.exit(f"bench/speed: no peak RSS in /usr/bin/time output:\n{p.stderr}")
    cpu = sum(
        float(x)
        for x in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", p.stderr)
    )
    return wall, int(m.group(1)), p.stdout, cpu


def parse_only_line(out):
    """pages= bytes= nodes= secs= -> dict of ints/floats."""
    d = dict(kv.split("=", 1) for kv in out.split())
    return {k: (float(v) if k == "secs" else int(v)) for k, v in d.items()}


def text_pages(folder):
    """(count, decompressed bytes) of the .txt / .txt.gz pages under folder."""
    n = size = 0
    for dirpath, _, files in os.walk(folder, followlinks=True):
        for f in files:
            p = os.path.join(dirpath, f)
            low = f.lower()
            if low.endswith(".txt"):
                size += os.path.getsize(p)
            elif low.endswith(".txt.gz"):
                with gzip.open(p, "rb") as g:
                    size += len(g.read())
            else:
                continue
            n += 1
    return n, size


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def git(repo, *args):
    try:
        return subprocess.run(
            ["git", "-C", repo, *args], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def verdict(ok):
    return "PASS" if ok else "FAIL"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--boilerstrip", required=True)
    ap.add_argument("--parse-only", required=True)
    ap.add_argument("--html", required=True)
    ap.add_argument("--text", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--repo", required=True)
    a = ap.parse_args()
    runs = max(1, a.runs)
    bs, po = a.boilerstrip, a.parse_only
    load0 = os.getloadavg()

    tmp = tempfile.mkdtemp(prefix="boilerstrip-bench-")
    out = os.path.join(tmp, "out.jsonl")

    def bs_run(folder, jobs):
        wall, rss, _, cpu = timed([bs, "run", folder, "-o", out, "-j", str(jobs), "-q"])
        return wall, rss, cpu

    try:
        # Warm the page cache (and learn the input size) before timing anything.
        log("warm-up")
        ref = parse_only_line(timed([po, a.html])[2])
        pages, nbytes = ref["pages"], ref["bytes"]
        if pages == 0:
            sys.exit(f"bench/speed: no HTML pages under {a.html}")

        res = {"po": [], "j1": [], "j2": []}
        for i in range(runs):
            log(f"HTML run {i + 1}/{runs}")
            wall, rss, _, cpu = timed([po, a.html])
            res["po"].append((wall, rss, cpu))
            res["j1"].append(bs_run(a.html, 1))
            res["j2"].append(bs_run(a.html, 2))

        # Memory flatness: the same files 5 times under different names.
        log("memory flatness (5x pages)")
        big = os.path.join(tmp, "x5")
        os.mkdir(big)
        names = sorted(
            f for f in os.listdir(a.html) if os.path.isfile(os.path.join(a.html, f))
        )
        for k in range(5):
            for f in names:
                os.symlink(
                    os.path.abspath(os.path.join(a.html, f)),
                    os.path.join(big, f"c{k}-{f}"),
                )
        big_wall, big_rss, _ = bs_run(big, 1)

        log("text pages")
        tpages, tbytes = text_pages(a.text)
        res["text"] = [bs_run(a.text, 1) for _ in range(runs)]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    def med_wall(k):
        return statistics.median(w for w, _, _ in res[k])

    def med_rss(k):
        return statistics.median(r for _, r, _ in res[k])

    def cpu_pps(k, n=pages):
        """Pages per CPU-second (user + sys): steadier than wall time under load."""
        return n / statistics.median(c for _, _, c in res[k])

    def pps(k, n=pages):
        return n / med_wall(k)

    def spread(k, n=pages):
        ws = [w for w, _, _ in res[k]]
        return f"{n / max(ws):.0f}–{n / min(ws):.0f}"

    def mbps(k, b=nbytes):
        return b / 1e6 / med_wall(k)

    def mb(kib):
        return f"{kib / 1024:.0f} MB"

    r_j1 = pps("j1") / pps("po")
    r_j2 = pps("j2") / pps("j1")
    r_rss = big_rss / med_rss("j1")
    text_pps = pps("text", tpages)
    checks = [
        r_j1 >= TARGET_J1_VS_PARSE,
        r_j2 >= TARGET_J2_VS_J1,
        r_rss <= TARGET_RSS_5X,
        text_pps >= TARGET_TEXT_PPS,
    ]

    commit = git(a.repo, "rev-parse", "--short=12", "HEAD") or "unknown"
    if git(a.repo, "status", "--porcelain", "--untracked-files=no"):
        commit += " (+ uncommitted changes)"
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load1 = os.getloadavg()
    html_name = os.path.relpath(os.path.abspath(a.html), os.path.dirname(a.repo))
    text_name = os.path.relpath(os.path.abspath(a.text), os.path.dirname(a.repo))

    lines = [
        f"### {date} · commit `{commit}`",
        "",
        f"Machine: {cpu_model()}, nproc {os.cpu_count()}; load average "
        f"{load0[0]:.2f} at start, {load1[0]:.2f} at end.  ",
        f"HTML: `{html_name}`, {pages} pages, {nbytes / 1e6:.1f} MB decompressed. "
        f"Text: `{text_name}`, {tpages} pages, {tbytes / 1e6:.1f} MB.  ",
        f"Median of {runs} runs (parse-only, -j1 and -j2 interleaved); wall time of the "
        "whole process, startup and folder walk included; output to a temp file.",
        "",
        "| measure | pages/s | pages/s range | pages/CPU-s | MB/s | peak RSS | ratio "
        "| target | |",
        "|---|--:|--:|--:|--:|--:|--:|--:|---|",
        f"| parse-only, 1 thread (read + gunzip + html5ever) | {pps('po'):.0f} | "
        f"{spread('po')} | {cpu_pps('po'):.0f} | {mbps('po'):.1f} | {mb(med_rss('po'))} "
        "| | | |",
        f"| boilerstrip -j1 | {pps('j1'):.0f} | {spread('j1')} | {cpu_pps('j1'):.0f} | "
        f"{mbps('j1'):.1f} | {mb(med_rss('j1'))} | {r_j1:.2f}× parse-only | "
        f"≥ {TARGET_J1_VS_PARSE}× | {verdict(checks[0])} |",
        f"| boilerstrip -j2 | {pps('j2'):.0f} | {spread('j2')} | {cpu_pps('j2'):.0f} | "
        f"{mbps('j2'):.1f} | {mb(med_rss('j2'))} | {r_j2:.2f}× -j1 | "
        f"≥ {TARGET_J2_VS_J1}× | {verdict(checks[1])} |",
        f"| boilerstrip -j1, 5× the pages ({5 * pages}, 1 run) | "
        f"{5 * pages / big_wall:.0f} | | | {5 * nbytes / 1e6 / big_wall:.1f} | "
        f"{mb(big_rss)} | {r_rss:.2f}× peak RSS of -j1 | ≤ {TARGET_RSS_5X}× | "
        f"{verdict(checks[2])} |",
        f"| boilerstrip -j1, text pages | {text_pps:.0f} | "
        f"{spread('text', tpages)} | {cpu_pps('text', tpages):.0f} | "
        f"{mbps('text', tbytes):.1f} | {mb(med_rss('text'))} | per worker | "
        f"≥ {TARGET_TEXT_PPS} | {verdict(checks[3])} |",
        "",
        f"By CPU time (steadier on a loaded machine): -j1 is "
        f"{cpu_pps('j1') / cpu_pps('po'):.2f}× parse-only; -j2 spends "
        f"{cpu_pps('j1') / cpu_pps('j2'):.2f}× the CPU of -j1 per page.  ",
        f"Targets met: {sum(checks)}/{len(checks)}.",
    ]
    print("\n".join(lines))
    if os.environ.get("BENCH_STRICT") and not all(checks):
        sys.exit(1)


if __name__ == "__main__":
    main()
