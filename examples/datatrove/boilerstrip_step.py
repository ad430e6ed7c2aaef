"""A datatrove PipelineStep that cleans HTML documents with boilerstrip.

Documents arrive with their HTML in `text` (as datatrove's WARC readers give it).
Each batch is written as one small uncompressed WARC file (so the URL, the crawl date
and the charset travel with every page) and its path is fed to a single long-lived
`boilerstrip run -` process, which answers with one JSON record per page, in order.
Pages that boilerstrip rejects (`status` other than `ok`) are dropped and counted in
the step's stats; the cleaned text replaces `text` and the record's metadata is merged
into the document's.

datatrove treats a step that yields fewer documents as a successful filter, so an
extractor that dies would pass unnoticed behind exit code 0. This step therefore
counts: every page sent must come back as exactly one record, and the process must
exit 0, or the task raises.
"""
import json
import os
import shutil
import subprocess
import tempfile
import uuid

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

# Record fields copied into Document.metadata (under the same names).
META_FIELDS = ("title", "author", "date", "site_name", "language", "url", "crawled_at")


def _warc_record(doc: Document) -> bytes:
    body = doc.text.encode("utf-8", errors="replace")
    http = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
        + b"Content-Length: %d\r\n\r\n" % len(body)
        + body
    )
    head = [
        "WARC/1.1",
        "WARC-Type: response",
        f"WARC-Record-ID: <urn:uuid:{uuid.uuid4()}>",
    ]
    url = doc.metadata.get("url")
    if url:
        head.append(f"WARC-Target-URI: {url}")
    date = doc.metadata.get("date")
    if isinstance(date, str) and len(date) >= 10:
        head.append(f"WARC-Date: {date}")
    head += ["Content-Type: application/http; msgtype=response", f"Content-Length: {len(http)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + http + b"\r\n\r\n"


class BoilerstripExtractor(PipelineStep):
    """Replace each document's HTML by boilerstrip's clean text.

    Args:
        binary: path of the boilerstrip binary.
        batch_size: documents per WARC batch sent to the process.
        threads: boilerstrip worker threads (`-j`).
        keep_rejects: keep rejected documents (with empty text and
            `metadata["boilerstrip_status"]`) instead of dropping them.
    """

    name = "boilerstrip"
    type = "🛢 - EXTRAC"

    def __init__(self, binary: str = "boilerstrip", batch_size: int = 500, threads: int = 1,
                 keep_rejects: bool = False):
        super().__init__()
        self.binary = binary
        self.batch_size = batch_size
        self.threads = threads
        self.keep_rejects = keep_rejects

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data is None:
            return
        tmp = tempfile.mkdtemp(prefix=f"boilerstrip-{rank}-")
        proc = subprocess.Popen(
            [self.binary, "run", "-", "-q", "-j", str(self.threads)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8", bufsize=1,
        )
        try:
            batch, n = [], 0
            for doc in data:
                self.stat_update("documents_in")
                batch.append(doc)
                if len(batch) >= self.batch_size:
                    yield from self._batch(proc, tmp, n, batch)
                    batch, n = [], n + 1
            if batch:
                yield from self._batch(proc, tmp, n, batch)
            proc.stdin.close()
            code = proc.wait()
            if code != 0:
                raise RuntimeError(f"boilerstrip exited with code {code}")
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            shutil.rmtree(tmp, ignore_errors=True)

    def _batch(self, proc, tmp, n, batch):
        path = os.path.join(tmp, f"batch-{n:06d}.warc")
        offsets = []
        with open(path, "wb") as f:
            for doc in batch:
                offsets.append(f.tell())
                f.write(_warc_record(doc))
        proc.stdin.write(path + "\n")
        proc.stdin.flush()
        for doc, off in zip(batch, offsets):
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError(
                    f"boilerstrip ended after {offsets.index(off)} of {len(batch)} records "
                    f"of batch {n} (exit code {proc.poll()})"
                )
            rec = json.loads(line)
            if rec["source"] != f"{path}#{off}":
                raise RuntimeError(f"record {rec['source']} out of step with {path}#{off}")
            status = rec["status"]
            self.stat_update(f"status_{status}")
            if status != "ok" and not self.keep_rejects:
                continue
            doc.text = rec["text"]
            for k in META_FIELDS:
                if rec.get(k) is not None:
                    doc.metadata[k] = rec[k]
            doc.metadata["boilerstrip_status"] = status
            self.stat_update("documents_out")
            yield doc
        os.remove(path)
