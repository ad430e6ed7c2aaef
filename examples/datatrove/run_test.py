"""A small datatrove run with LocalPipelineExecutor over the HTML fixtures.

Checks that every document boilerstrip accepts comes out with the text of a direct
`boilerstrip run`, that rejects are counted, and (with --crash BINARY) that a binary
dying mid-run fails the task instead of passing as a filter.
Usage: run_test.py BINARY [--crash CRASHING_BINARY]
"""
import argparse
import glob
import gzip
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from datatrove.data import Document  # noqa: E402
from datatrove.executor.local import LocalPipelineExecutor  # noqa: E402
from datatrove.pipeline.writers.jsonl import JsonlWriter  # noqa: E402

from boilerstrip_step import BoilerstripExtractor  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
FILES = sorted(
    p for p in glob.glob(os.path.join(ROOT, "fixtures", "**", "*.htm*"), recursive=True)
    # Pages that are not text (binary, cut-off gzip) cannot be datatrove documents.
    if not p.endswith(("binary.html", "truncated.html.gz"))
)


def raw_page(path):
    raw = open(path, "rb").read()
    return gzip.decompress(raw) if path.endswith(".gz") else raw


def is_utf8(path):
    try:
        raw_page(path).decode("utf-8")
        return True
    except (UnicodeDecodeError, OSError, EOFError):
        return False


# A datatrove Document holds text that its reader already decoded: only UTF-8 pages reach
# the extractor byte for byte, so only they can be compared with a direct run (boilerstrip
# decodes the others, e.g. windows-1252 or Shift_JIS, from their raw bytes).
FILES = [p for p in FILES if is_utf8(p)]


def read_page(path):
    return raw_page(path).decode("utf-8")


def reader(data, rank=0, world_size=1):
    for i, path in enumerate(FILES):
        if i % world_size == rank:
            yield Document(text=read_page(path), id=os.path.relpath(path, ROOT),
                           metadata={"url": f"https://fixtures.example/{i}"})


def run(binary, out, logs):
    LocalPipelineExecutor(
        pipeline=[reader, BoilerstripExtractor(binary=binary, batch_size=2), JsonlWriter(out)],
        tasks=2, workers=1, logging_dir=logs,
    ).run()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--crash")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp()
    direct = subprocess.run([args.binary, "run", "-", "-q"], input="\n".join(FILES) + "\n",
                            capture_output=True, text=True, check=True).stdout.splitlines()
    direct = [json.loads(l) for l in direct]
    want = {os.path.relpath(r["source"], ROOT): r for r in direct}
    assert len(want) == len(FILES), (len(want), len(FILES))
    run(args.binary, os.path.join(tmp, "out"), os.path.join(tmp, "logs"))
    got = {}
    for p in glob.glob(os.path.join(tmp, "out", "*.jsonl.gz")):
        for line in gzip.open(p, "rt"):
            d = json.loads(line)
            got[d["id"]] = d
    ok = {k for k, r in want.items() if r["status"] == "ok"}
    assert set(got) == ok, (sorted(got), sorted(ok))
    for k in ok:
        assert got[k]["text"] == want[k]["text"], k
        assert got[k]["metadata"]["boilerstrip_status"] == "ok"
    # The executor wrote its stats: the run was marked complete.
    assert os.path.exists(os.path.join(tmp, "logs", "stats.json"))
    print(f"datatrove: {len(FILES)} documents in, {len(got)} out, "
          f"{len(FILES) - len(ok)} rejected by boilerstrip")
    if args.crash:
        try:
            run(args.crash, os.path.join(tmp, "out-crash"), os.path.join(tmp, "logs-crash"))
        except Exception as e:  # noqa: BLE001 - any failure is the point
            print(f"crashing binary fails the task: ok ({type(e).__name__}: {e})")
        else:
            sys.exit("FAIL: a crashing binary did not fail the datatrove task")


if __name__ == "__main__":
    main()
