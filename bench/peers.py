#!/usr/bin/env python3
"""Compare boilerstrip with other main-content extractors on the dev sets.

Run it through the `bench/peers` wrapper, which makes the virtualenv with the
pinned peers (bench/peers-requirements.txt) and calls this file with its Python:

    bench/peers [--set NAME]... [--limit N] [--tools LIST] [--no-build]
                [--boilerstrip PATH] [--datasets DIR] [--no-write]

For each set it runs every tool on ONE core (`taskset -c 0`; boilerstrip with
`-j 1`), writes each tool's records to target/peers/<set>/<tool>.jsonl, scores
them all with the same scorer (shared/tools/score.py) and writes a table of
F1 and pages/s into BENCHMARKS.md between the peers markers (replacing that
section on a rerun, leaving the rest of the file alone), and prints it.

Each Python peer runs in its own worker process (this file with --worker):
the pages are gunzipped into memory first, so the timed loop is extraction
only. A page a peer raises on, or takes longer than --page-timeout on, gets an
empty record; if the worker dies outright (a crash in native code), the page
it was on gets an empty record and a new worker goes on from the next page.
"""
import argparse
import datetime
import gzip
import json
import os
import platform
import re
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATASETS = REPO.parent / "shared" / "datasets"
SCORER_NAME = Path("tools") / "score.py"
DEFAULT_SETS = ["trafilatura-eval", "wcxb-dev"]
PY_TOOLS = ["trafilatura", "readability", "resiliparse", "justext"]
ALL_TOOLS = ["boilerstrip"] + PY_TOOLS
# PyPI distribution of each peer, for its version.
DIST = {
    "trafilatura": "trafilatura",
    "readability": "readability-lxml",
    "resiliparse": "resiliparse",
    "justext": "justext",
}
START, END = "<!-- peers:start -->", "<!-- peers:end -->"

# ISO 639 codes (as found in <html lang>) to jusText stoplist names.
JUSTEXT_LANGS = {
    "af": "Afrikaans", "sq": "Albanian", "ar": "Arabic", "an": "Aragonese", "hy": "Armenian",
    "rup": "Aromanian", "ast": "Asturian", "az": "Azerbaijani", "eu": "Basque",
    "be": "Belarusian", "bn": "Bengali", "bpy": "Bishnupriya_Manipuri", "bs": "Bosnian",
    "br": "Breton", "bg": "Bulgarian", "ca": "Catalan", "ceb": "Cebuano", "cv": "Chuvash",
    "hr": "Croatian", "cs": "Czech", "da": "Danish", "nl": "Dutch", "en": "English",
    "eo": "Esperanto", "et": "Estonian", "fi": "Finnish", "fr": "French", "gl": "Galician",
    "ka": "Georgian", "de": "German", "el": "Greek", "gu": "Gujarati", "ht": "Haitian",
    "he": "Hebrew", "iw": "Hebrew", "hi": "Hindi", "hu": "Hungarian", "is": "Icelandic",
    "io": "Ido", "ig": "Igbo", "id": "Indonesian", "in": "Indonesian", "ga": "Irish",
    "it": "Italian", "jv": "Javanese", "kn": "Kannada", "kk": "Kazakh", "ko": "Korean",
    "ku": "Kurdish", "ky": "Kyrgyz", "la": "Latin", "lv": "Latvian", "lt": "Lithuanian",
    "lmo": "Lombard", "nds": "Low_Saxon", "lb": "Luxembourgish", "mk": "Macedonian",
    "ms": "Malay", "ml": "Malayalam", "mt": "Maltese", "mr": "Marathi", "ne": "Nepali",
    "new": "Newar", "nb": "Norwegian_Bokmal", "no": "Norwegian_Bokmal",
    "nn": "Norwegian_Nynorsk", "oc": "Occitan", "fa": "Persian", "pms": "Piedmontese",
    "pl": "Polish", "pt": "Portuguese", "qu": "Quechua", "ro": "Romanian", "ru": "Russian",
    "sgs": "Samogitian", "sr": "Serbian", "sh": "Serbo_Croatian", "scn": "Sicilian",
    "sk": "Slovak", "sl": "Slovenian", "es": "Spanish", "su": "Sundanese", "sw": "Swahili",
    "sv": "Swedish", "tl": "Tagalog", "fil": "Tagalog", "ta": "Tamil", "te": "Telugu",
    "tr": "Turkish", "tk": "Turkmen", "uk": "Ukrainian", "ur": "Urdu", "uz": "Uzbek",
    "vi": "Vietnamese", "vo": "Volapuk", "wa": "Walloon", "war": "Waray_Waray",
    "cy": "Welsh", "fy": "West_Frisian", "pnb": "Western_Panjabi", "yo": "Yoruba",
}
HTML_LANG = re.compile(rb"<html\b[^>]*?\blang\s*=\s*[\"']?\s*([A-Za-z]{2,3})\b", re.I)
META_LANG = re.compile(
    rb"<meta\b[^>]*?http-equiv\s*=\s*[\"']?content-language[\"']?[^>]*?content\s*=\s*[\"']?\s*([A-Za-z]{2,3})\b",
    re.I,
)


def log(*args):
    print(*args, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- data


def load_gold(set_dir):
    with open(set_dir / "gold.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def page_files(set_dir, limit):
    """The set's page files in gold order (gold names them with `file`)."""
    gold = load_gold(set_dir)
    files = []
    for page in gold:
        rel = page.get("file") or f"pages/{page['id']}.html.gz"
        files.append(set_dir / rel)
    return files[:limit] if limit else files


def read_page(path):
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data


# ---------------------------------------------------------------- peers
# Each peer: (setup() -> state, extract(state, html_bytes) -> dict of text/title/author/date).


def page_lang(html):
    """The page's declared language code (<html lang> or Content-Language), lower case."""
    head = html[:65536]
    m = HTML_LANG.search(head) or META_LANG.search(head)
    return m.group(1).decode("ascii").lower() if m else None


def block_text(fragment_html):
    """Text of an HTML fragment with a line break around each block element.

    lxml's text_content() glues adjacent paragraphs into one word ("end.Start"),
    which would cost readability shingles it did find.
    """
    import lxml.html

    if not fragment_html or not fragment_html.strip():
        return ""
    root = lxml.html.fromstring(fragment_html)
    blocks = {
        "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th",
        "table", "blockquote", "pre", "section", "article", "header", "footer", "dd", "dt",
        "figcaption", "figure", "hr", "body",
    }
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() in blocks:
            el.tail = "\n" + (el.tail or "")
            if el.tag.lower() not in ("br", "hr"):
                el.text = "\n" + (el.text or "")
    text = root.text_content()
    lines = (re.sub(r"[ \t\r\f\v\xa0]+", " ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def trafilatura_setup():
    import trafilatura

    return trafilatura


def trafilatura_extract(trafilatura, html):
    # bare_extraction with metadata is one call for text + title/author/date; its text is
    # what extract(..., with_metadata=True) returns for the same settings.
    doc = trafilatura.bare_extraction(
        html,
        include_comments=False,
        include_tables=True,
        favor_precision=False,
        with_metadata=True,
    )
    if doc is None:
        return {"text": ""}
    d = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    return {"text": d.get("text") or "", "title": d.get("title"), "author": d.get("author"), "date": d.get("date")}


def readability_setup():
    import readability

    # readability logs a warning per page it finds little in; keep stderr readable.
    import logging

    logging.getLogger("readability").setLevel(logging.ERROR)
    logging.getLogger("readability.readability").setLevel(logging.ERROR)
    return readability


def readability_extract(readability, html):
    doc = readability.Document(html)
    summary = doc.summary()
    return {"text": block_text(summary), "title": doc.short_title()}


def resiliparse_setup():
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.encoding import bytes_to_str, detect_encoding
    from resiliparse.parse.html import HTMLTree

    return (extract_plain_text, bytes_to_str, detect_encoding, HTMLTree)


def resiliparse_extract(state, html):
    extract_plain_text, bytes_to_str, detect_encoding, HTMLTree = state
    tree = HTMLTree.parse(bytes_to_str(html, detect_encoding(html)))
    return {"text": extract_plain_text(tree, main_content=True)}


def justext_setup():
    import justext

    return justext


def justext_extract(justext, html):
    lang = page_lang(html)
    if lang is None:
        # no declared language: English, as jusText's own docs do
        kwargs = {"stoplist": justext.get_stoplist("English")}
    elif lang in JUSTEXT_LANGS:
        kwargs = {"stoplist": justext.get_stoplist(JUSTEXT_LANGS[lang])}
    else:
        # a declared language jusText has no stoplist for (zh, ja, th...): its
        # language-independent mode, an empty stoplist with stopword thresholds at 0
        kwargs = {"stoplist": frozenset(), "stopwords_low": 0, "stopwords_high": 0}
    paragraphs = justext.justext(html, **kwargs)
    return {"text": "\n\n".join(p.text for p in paragraphs if not p.is_boilerplate)}


PEERS = {
    "trafilatura": (trafilatura_setup, trafilatura_extract),
    "readability": (readability_setup, readability_extract),
    "resiliparse": (resiliparse_setup, resiliparse_extract),
    "justext": (justext_setup, justext_extract),
}


class PageTimeout(Exception):
    pass


def _alarm(_signum, _frame):
    raise PageTimeout()


def worker(tool, files_list, out_path, start, page_timeout):
    """Run one peer over the pages listed in files_list from index `start`.

    Appends one record per page to out_path and the page's wall and CPU seconds
    to out_path + ".times" (both flushed per page, so a crash in native code
    loses nothing already done), and prints a JSON line of failures at the end.
    """
    setup, extract = PEERS[tool]
    state = setup()
    files = [Path(p) for p in Path(files_list).read_text(encoding="utf-8").split("\n") if p]
    pages = [(f.name, read_page(f)) for f in files[start:]]  # gunzip before the clock starts
    signal.signal(signal.SIGALRM, _alarm)
    # One untimed warm-up page: peers import parts of themselves lazily on first use
    # (trafilatura's date parsers, say), a one-off cost that is not per-page speed.
    if pages:
        try:
            signal.setitimer(signal.ITIMER_REAL, page_timeout)
            extract(state, pages[0][1])
        except Exception:  # noqa: BLE001 - the timed loop will record this page's failure
            pass
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    failures = []
    with open(out_path, "a", encoding="utf-8") as out, open(out_path + ".times", "a", encoding="utf-8") as times:
        for name, html in pages:
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                signal.setitimer(signal.ITIMER_REAL, page_timeout)
                try:
                    got = extract(state, html)
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                rec = {"source": name, "status": "ok", "text": got.get("text") or ""}
                for key in ("title", "author", "date"):
                    rec[key] = got.get(key)
            except (Exception, PageTimeout) as e:  # noqa: BLE001 - any failure is one empty page
                kind = "timeout" if isinstance(e, PageTimeout) else type(e).__name__
                failures.append({"source": name, "error": f"{kind}: {str(e)[:200]}"})
                rec = {"source": name, "status": "ok", "text": "", "title": None, "author": None, "date": None}
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            out.flush()
            times.write(f"{wall:.6f} {cpu:.6f}\n")
            times.flush()
    print(json.dumps({"failures": failures}), flush=True)


# ---------------------------------------------------------------- orchestration


def taskset_prefix():
    if sys.platform.startswith("linux") and shutil_which("taskset"):
        return ["taskset", "-c", "0"]
    log("warning: taskset not found; running without pinning to one core")
    return []


def shutil_which(name):
    import shutil

    return shutil.which(name)


def count_lines(path):
    try:
        with open(path, "rb") as f:
            return sum(1 for line in f if line.strip())
    except FileNotFoundError:
        return 0


def run_peer(tool, files, out_path, page_timeout):
    """Run a Python peer in worker processes until every page has a record."""
    files_list = out_path.with_suffix(".files")
    times_path = Path(str(out_path) + ".times")
    files_list.write_text("\n".join(str(f) for f in files) + "\n", encoding="utf-8")
    out_path.unlink(missing_ok=True)
    times_path.unlink(missing_ok=True)
    failures = []
    done = 0
    while done < len(files):
        cmd = taskset_prefix() + [
            sys.executable, str(Path(__file__).resolve()), "--worker", tool,
            "--files-list", str(files_list), "--out", str(out_path),
            "--start", str(done), "--page-timeout", str(page_timeout),
        ]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        written = count_lines(out_path)
        last = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
        if proc.returncode == 0 and last.startswith("{"):
            failures += json.loads(last)["failures"]
            if written < len(files):  # guard against a silent short run
                raise SystemExit(f"{tool}: worker wrote {written} of {len(files)} records")
            break
        if written >= len(files):
            raise SystemExit(f"{tool}: worker exited {proc.returncode} after the last page: {proc.stderr[-2000:]}")
        # The worker died on page `written` (a crash in native code, say): that page gets an
        # empty record and a new worker goes on after it. Its time is not counted.
        crashed = files[written].name
        tail = proc.stderr.strip().splitlines()[-1:] if proc.stderr.strip() else []
        log(f"  {tool}: worker died (exit {proc.returncode}) on {crashed}: {' '.join(tail)[:200]}")
        failures.append({"source": crashed, "error": f"process died, exit {proc.returncode}"})
        with open(out_path, "a", encoding="utf-8") as out:
            rec = {"source": crashed, "status": "ok", "text": "", "title": None, "author": None, "date": None}
            out.write(json.dumps(rec) + "\n")
        done = written + 1
    wall = cpu = 0.0
    with open(times_path, encoding="utf-8") as f:
        for line in f:
            w, c = line.split()
            wall += float(w)
            cpu += float(c)
    files_list.unlink(missing_ok=True)
    times_path.unlink(missing_ok=True)
    return {"pages": len(files), "wall": wall, "cpu": cpu, "failures": failures}


def run_boilerstrip(binary, set_dir, files, full_set, out_path):
    """Time the whole `boilerstrip run ... -j 1 -q` process (reading and gunzip included)."""
    out_path.unlink(missing_ok=True)
    rejects = out_path.with_name(out_path.stem + ".rejects.jsonl")
    rejects.unlink(missing_ok=True)
    if full_set:
        inputs = [str(set_dir / "pages")]
    else:
        inputs = ["-"]  # read the chosen paths from stdin
    cmd = taskset_prefix() + [str(binary), "run", *inputs, "-o", str(out_path), "-j", "1", "-q"]
    stdin = "".join(f"{f}\n" for f in files) if not full_set else None
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, input=stdin, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        log(proc.stderr[-2000:])
        raise SystemExit(f"boilerstrip exited {proc.returncode}")
    failures = []
    if rejects.exists():
        with open(rejects, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    failures.append({"source": r.get("source"), "error": f"{r.get('status')}: {r.get('error')}"})
    return {"pages": len(files), "wall": wall, "cpu": cpu, "failures": failures}


def score(scorer, gold_path, pred_path):
    out = subprocess.run(
        [sys.executable, str(scorer), str(gold_path), str(pred_path), "--json"],
        check=True, stdout=subprocess.PIPE, text=True,
    ).stdout
    return json.loads(out)


def limited_gold(set_dir, files, dest):
    """A gold file with only the pages being run (for --limit), so unrun pages are not zeros."""
    names = {f.name for f in files}
    with open(dest, "w", encoding="utf-8") as out:
        for page in load_gold(set_dir):
            rel = page.get("file") or f"pages/{page['id']}.html.gz"
            if Path(rel).name in names:
                out.write(json.dumps(page, ensure_ascii=False) + "\n")
    return dest


def build_boilerstrip():
    log("building boilerstrip (cargo build --release)...")
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
    target = Path(os.environ.get("CARGO_TARGET_DIR") or (REPO / "target"))
    if not target.is_absolute():
        target = REPO / target
    return target / "release" / "boilerstrip"


def git(*args):
    try:
        return subprocess.run(["git", *args], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def cpu_model():
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def versions(binary, tools):
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for tool in tools:
        if tool == "boilerstrip":
            try:
                v = subprocess.run([str(binary), "--version"], stdout=subprocess.PIPE, text=True).stdout.split()
                out[tool] = (v[-1] if v else "?") + f" @ {git('rev-parse', '--short', 'HEAD') or '?'}"
            except OSError:
                out[tool] = "?"
        else:
            try:
                out[tool] = version(DIST[tool])
            except PackageNotFoundError:
                out[tool] = "?"
    return out


# ---------------------------------------------------------------- report


def fmt(x, digits=3):
    return "–" if x is None else f"{x:.{digits}f}"


def metric(res, kind):
    return (res.get(kind) or {}).get("f1") if res else None


# The metadata fields each tool gives; the others show as "–", not as 0.
META_FIELDS = {
    "boilerstrip": ("title", "author", "date"),
    "trafilatura": ("title", "author", "date"),
    "readability": ("title",),
}


def meta_acc(tool, res):
    meta = (res or {}).get("meta") or {}
    given = META_FIELDS.get(tool, ())
    return [meta.get(k, {}).get("accuracy") if k in given else None for k in ("title", "author", "date")]


def render(results, tools, vers, sets, args, failures_total):
    """Markdown for the peers section of BENCHMARKS.md."""
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    commit = git("rev-parse", "--short", "HEAD") or "?"
    dirty = " (with uncommitted changes)" if git("status", "--porcelain", "--untracked-files=no") else ""
    lines = [
        "## Peers: boilerstrip next to other extractors",
        "",
        f"Generated by `bench/peers` on {when}; boilerstrip at commit `{commit}`{dirty}. "
        f"Machine: {os.cpu_count()} cores (`nproc`), {cpu_model()}; every tool pinned to one core "
        "(`taskset -c 0`, boilerstrip with `-j 1`). Python {}.".format(platform.python_version()),
    ]
    if args.limit:
        lines.append("")
        lines.append(f"**Quick run: only the first {args.limit} pages of each set; not comparable with a full run.**")
    tev, wdev = "trafilatura-eval", "wcxb-dev"
    header = ["system", "version"]
    if tev in sets:
        header.append(f"snippet F1 ({tev})")
    if wdev in sets:
        header += [f"shingle F1 ({wdev})", f"title / author / date acc ({wdev})"]
    extra = [s for s in sets if s not in (tev, wdev)]
    for s in extra:
        header.append(f"F1 ({s})")
    header += [f"pages/s ({s})" for s in sets]
    lines += ["", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for tool in tools:
        row = [f"**{tool}**" if tool == "boilerstrip" else tool, vers.get(tool, "?")]
        if tev in sets:
            row.append(fmt(metric(results[tev][tool]["score"], "snippet")))
        if wdev in sets:
            row.append(fmt(metric(results[wdev][tool]["score"], "shingle")))
            row.append(" / ".join(fmt(a, 2) for a in meta_acc(tool, results[wdev][tool]["score"])))
        for s in extra:
            res = results[s][tool]["score"]
            row.append(fmt(metric(res, "shingle") if "shingle" in res else metric(res, "snippet")))
        for s in sets:
            r = results[s][tool]["run"]
            row.append(f"{r['pages'] / r['wall']:.1f}" if r["wall"] > 0 else "–")
        lines.append("| " + " | ".join(row) + " |")
    # details: precision / recall and CPU-time speed, which is steadier than wall time on a shared machine
    lines += ["", "<details><summary>Precision, recall, CPU time, failures</summary>", ""]
    dh = ["set", "system", "metric", "F1", "P", "R", "pages", "wall s", "pages/s", "pages/CPU-s", "failed pages"]
    lines += ["| " + " | ".join(dh) + " |", "|" + "---|" * len(dh)]
    for s in sets:
        for tool in tools:
            res, r = results[s][tool]["score"], results[s][tool]["run"]
            kind = "shingle" if "shingle" in res else "snippet"
            m = res.get(kind) or {}
            lines.append("| " + " | ".join([
                s, tool, kind, fmt(m.get("f1")), fmt(m.get("precision")), fmt(m.get("recall")),
                str(r["pages"]), f"{r['wall']:.1f}",
                f"{r['pages'] / r['wall']:.1f}" if r["wall"] > 0 else "–",
                f"{r['pages'] / r['cpu']:.1f}" if r["cpu"] > 0 else "–",
                str(len(r["failures"])),
            ]) + " |")
    lines += ["", "</details>", ""]
    lines += [
        "Notes:",
        "",
        "- Same scorer for all (`shared/tools/score.py`): snippet F1 on trafilatura-eval (with/without "
        "snippets, summed over the corpus), shingle F1 on wcxb-dev (4-token shingles, averaged per page); "
        "title/author/date are exact-match accuracy (case and space folded; dates on YYYY-MM-DD) over the "
        "wcxb-dev pages whose gold has them, `–` where a tool gives no such field.",
        "- pages/s = pages / wall seconds, one core. Python peers: the extraction loop only (pages "
        "gunzipped into memory beforehand; interpreter start, imports and one untimed warm-up page excluded). boilerstrip: the whole "
        "`boilerstrip run <pages dir> -o OUT -j 1 -q` process, so its figure also pays for process start, "
        "directory walk, reading and gunzipping every `.html.gz` and writing the JSONL. The machine is "
        "shared, so wall time is noisy; pages/CPU-s in the details is steadier.",
        "- Calls: trafilatura `bare_extraction(html, include_comments=False, include_tables=True, "
        "favor_precision=False, with_metadata=True)` (text as `extract` gives it with metadata on); "
        "readability `Document(html).summary()`, text from the lxml tree with a break per block element, "
        "title from `short_title()`; resiliparse `extract_plain_text(HTMLTree.parse(bytes_to_str(html, "
        "detect_encoding(html))), main_content=True)`; jusText `justext(html, stoplist)` keeping the "
        "non-boilerplate paragraphs, stoplist from `<html lang>`: English when the page declares none, and "
        "jusText's language-independent mode (empty stoplist, stopword thresholds 0) for a declared language "
        "it has no list for. "
        "trafilatura, readability and jusText get the raw bytes and decode them themselves.",
        f"- A page a tool fails on (exception, > {args.page_timeout:g} s, crash, or a boilerstrip reject) "
        f"scores as empty; {failures_total} such page(s) in this run, per tool in the details.",
        "- boilerstrip is still under development: its row will change; rerun `bench/peers` to refresh it.",
    ]
    return "\n".join(lines) + "\n"


def write_section(path, section):
    block = f"{START}\n{section}{END}\n"
    if path.exists():
        text = path.read_text(encoding="utf-8")
        if START in text and END in text and text.index(START) < text.index(END):
            a = text.index(START)
            b = text.index(END) + len(END)
            if text[b : b + 1] == "\n":
                b += 1
            text = text[:a] + block + text[b:]
        else:
            text = text.rstrip("\n") + "\n\n" + block
    else:
        text = "# Benchmarks\n\n" + block
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", action="append", dest="sets", metavar="NAME",
                    help=f"dataset under --datasets (repeatable; default: {' and '.join(DEFAULT_SETS)})")
    ap.add_argument("--limit", type=int, default=0, metavar="N", help="only the first N pages of each set")
    ap.add_argument("--tools", default=",".join(ALL_TOOLS), help=f"comma-separated subset of {','.join(ALL_TOOLS)}")
    ap.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS, help="folder holding the sets (default: ../shared/datasets)")
    ap.add_argument("--scorer", type=Path, help="score.py (default: <datasets>/../tools/score.py)")
    ap.add_argument("--boilerstrip", type=Path, help="use this binary instead of building one")
    ap.add_argument("--no-build", action="store_true", help="do not run cargo build; use the existing release binary")
    ap.add_argument("--out-dir", type=Path, default=REPO / "target" / "peers", help="where records go (default: target/peers)")
    ap.add_argument("--bench-file", type=Path, default=REPO / "BENCHMARKS.md")
    ap.add_argument("--no-write", action="store_true", help="print the table, leave BENCHMARKS.md alone")
    ap.add_argument("--page-timeout", type=float, default=60.0, help="seconds before a peer's page counts as failed")
    # worker mode (internal)
    ap.add_argument("--worker", choices=PY_TOOLS, help=argparse.SUPPRESS)
    ap.add_argument("--files-list", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    ap.add_argument("--start", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.worker:
        worker(args.worker, args.files_list, args.out, args.start, args.page_timeout)
        return

    sets = args.sets or DEFAULT_SETS
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = [t for t in tools if t not in ALL_TOOLS]
    if unknown:
        ap.error(f"unknown tool(s): {', '.join(unknown)}")
    datasets = args.datasets.resolve()
    scorer = (args.scorer or datasets.parent / SCORER_NAME).resolve()
    if not scorer.exists():
        ap.error(f"scorer not found: {scorer}")
    for s in sets:
        if not (datasets / s / "gold.jsonl").exists():
            ap.error(f"no such set: {datasets / s}")

    binary = None
    if "boilerstrip" in tools:
        if args.boilerstrip:
            binary = args.boilerstrip.resolve()
        elif args.no_build:
            target = Path(os.environ.get("CARGO_TARGET_DIR") or (REPO / "target"))
            binary = (target if target.is_absolute() else REPO / target) / "release" / "boilerstrip"
        else:
            binary = build_boilerstrip()
        if not binary.exists():
            ap.error(f"boilerstrip binary not found: {binary}")
    vers = versions(binary, tools)

    results = {}
    failures_total = 0
    for s in sets:
        set_dir = datasets / s
        files = page_files(set_dir, args.limit)
        out_dir = args.out_dir / s
        out_dir.mkdir(parents=True, exist_ok=True)
        gold = set_dir / "gold.jsonl"
        if args.limit:
            gold = limited_gold(set_dir, files, out_dir / "gold.limited.jsonl")
        results[s] = {}
        for tool in tools:
            out_path = out_dir / f"{tool}.jsonl"
            log(f"{s}: {tool} on {len(files)} pages...")
            if tool == "boilerstrip":
                run = run_boilerstrip(binary, set_dir, files, not args.limit, out_path)
            else:
                run = run_peer(tool, files, out_path, args.page_timeout)
            res = score(scorer, gold, out_path)
            results[s][tool] = {"run": run, "score": res}
            failures_total += len(run["failures"])
            kind = "shingle" if "shingle" in res else "snippet"
            log(f"  {tool}: {kind} F1 {fmt(metric(res, kind))}, {run['pages'] / max(run['wall'], 1e-9):.1f} pages/s, "
                f"{len(run['failures'])} failed page(s)")
            for fail in run["failures"][:5]:
                log(f"    {fail['source']}: {fail['error']}")
        with open(out_dir / "summary.json", "w", encoding="utf-8") as f:
            json.dump({"versions": vers, "results": results[s]}, f, indent=1)

    section = render(results, tools, vers, sets, args, failures_total)
    print(section)
    print(f"failed pages, all tools and sets: {failures_total}")
    if not args.no_write:
        write_section(args.bench_file, section)
        log(f"wrote the peers section of {args.bench_file}")


if __name__ == "__main__":
    main()
