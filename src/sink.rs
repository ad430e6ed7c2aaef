//! Sinks: JSONL output to stdout or to a file written under a temporary name and
//! renamed at the end, so no half-written file ever sits under the final name.
//! A file named `*.gz` is gzip-compressed and `*.zst` zstd-compressed, as it is written.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::record::Record;

/// Where the lines go.
enum Out {
    Plain(BufWriter<Box<dyn Write + Send>>),
    Gzip(flate2::write::GzEncoder<BufWriter<fs::File>>),
    Zstd(zstd::stream::write::Encoder<'static, BufWriter<fs::File>>),
    Closed,
}

impl Out {
    fn writer(&mut self) -> io::Result<&mut dyn Write> {
        match self {
            Out::Plain(w) => Ok(w),
            Out::Gzip(w) => Ok(w),
            Out::Zstd(w) => Ok(w),
            Out::Closed => Err(io::Error::other("writer already finished")),
        }
    }

    /// Flush everything and end the compressed stream; the file is closed on return.
    fn close(self) -> io::Result<()> {
        match self {
            Out::Plain(mut w) => w.flush(),
            Out::Gzip(w) => w.finish()?.flush(),
            Out::Zstd(w) => w.finish()?.flush(),
            Out::Closed => Ok(()),
        }
    }
}

/// The compression a file name asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

/// `.gz` → gzip, `.zst` → zstd, anything else → none.
pub fn compression_of(path: &Path) -> Compression {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if name.ends_with(".gz") {
        Compression::Gzip
    } else if name.ends_with(".zst") {
        Compression::Zstd
    } else {
        Compression::None
    }
}

/// A JSONL writer. Dropping it without [`JsonlWriter::finish`] removes the temporary file.
pub struct JsonlWriter {
    out: Out,
    /// `(temporary, final)` paths when writing a file.
    paths: Option<(PathBuf, PathBuf)>,
    line: Vec<u8>,
    /// Records written.
    pub count: usize,
}

/// The temporary name for `path`: a hidden file in the same folder (so the rename is atomic).
pub fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// The default rejects file for `out`: `clean.jsonl` → `clean.rejects.jsonl`, and with
/// the same compression: `clean.jsonl.zst` → `clean.rejects.jsonl.zst`.
pub fn default_rejects_path(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (name, ext) = match compression_of(out) {
        Compression::Gzip => (&name[..name.len() - 3], ".gz"),
        Compression::Zstd => (&name[..name.len() - 4], ".zst"),
        Compression::None => (name.as_str(), ""),
    };
    let stem = name.strip_suffix(".jsonl").unwrap_or(name);
    out.with_file_name(format!("{stem}.rejects.jsonl{ext}"))
}

impl JsonlWriter {
    /// Write to standard output.
    pub fn stdout() -> Self {
        JsonlWriter {
            out: Out::Plain(BufWriter::with_capacity(1 << 16, Box::new(io::stdout()))),
            paths: None,
            line: Vec::with_capacity(1 << 14),
            count: 0,
        }
    }

    /// Write to `path`, through a temporary file in the same folder, compressed as the
    /// name says ([`compression_of`]).
    pub fn create(path: &Path) -> io::Result<Self> {
        // A device or pipe (`/dev/full`, `/dev/stdout`, a FIFO) is written as it is: a
        // temporary file renamed over it would replace the device.
        if !is_regular_or_missing(path) {
            let file = fs::OpenOptions::new().write(true).open(path)?;
            return Ok(JsonlWriter {
                out: Out::Plain(BufWriter::with_capacity(1 << 16, Box::new(file))),
                paths: None,
                line: Vec::with_capacity(1 << 14),
                count: 0,
            });
        }
        let tmp = temp_path(path);
        let file = fs::File::create(&tmp)?;
        let out = match compression_of(path) {
            Compression::None => Out::Plain(BufWriter::with_capacity(1 << 16, Box::new(file))),
            Compression::Gzip => Out::Gzip(flate2::write::GzEncoder::new(
                BufWriter::with_capacity(1 << 16, file),
                flate2::Compression::default(),
            )),
            Compression::Zstd => {
                let mut enc =
                    zstd::stream::write::Encoder::new(BufWriter::with_capacity(1 << 16, file), 3)?;
                // A checksum lets readers detect a damaged file.
                enc.include_checksum(true)?;
                Out::Zstd(enc)
            }
        };
        Ok(JsonlWriter {
            out,
            paths: Some((tmp, path.to_path_buf())),
            line: Vec::with_capacity(1 << 14),
            count: 0,
        })
    }

    /// Append one line as it is (a record kept from an earlier run by `--resume`);
    /// `line` has no trailing newline.
    pub fn write_line(&mut self, line: &[u8]) -> io::Result<()> {
        let w = self.out.writer()?;
        w.write_all(line)?;
        w.write_all(b"\n")?;
        self.count += 1;
        Ok(())
    }

    /// Append one record as a line.
    pub fn write(&mut self, rec: &Record) -> io::Result<()> {
        self.line.clear();
        serde_json::to_writer(&mut self.line, rec).map_err(io::Error::other)?;
        self.line.push(b'\n');
        self.out.writer()?.write_all(&self.line)?;
        self.count += 1;
        Ok(())
    }

    /// Push the lines written so far through to the output (the streaming mode's
    /// line-at-a-time delivery; a compressed stream flushes its current block).
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.writer()?.flush()
    }

    /// Flush (ending a compressed stream); for files, rename the temporary file to the
    /// final name.
    pub fn finish(mut self) -> io::Result<()> {
        // Closing the file before the rename; errors of the close surface here.
        std::mem::replace(&mut self.out, Out::Closed).close()?;
        if let Some((tmp, dest)) = self.paths.take() {
            if let Err(e) = fs::rename(&tmp, &dest) {
                let _ = fs::remove_file(&tmp);
                return Err(e);
            }
        }
        Ok(())
    }

    /// Flush and close, but leave the lines under the temporary name (for `--resume`
    /// to pick up) instead of renaming: for outputs whose final name means "complete".
    pub fn keep_temporary(mut self) -> io::Result<()> {
        std::mem::replace(&mut self.out, Out::Closed).close()?;
        self.paths = None;
        Ok(())
    }

    /// The final path, when writing a file.
    pub fn path(&self) -> Option<&Path> {
        self.paths.as_ref().map(|(_, p)| p.as_path())
    }
}

/// Whether `path` is a regular file or does not exist yet (not a device or a pipe).
pub fn is_regular_or_missing(path: &Path) -> bool {
    fs::metadata(path).map_or(true, |m| m.is_file())
}

/// The complete lines of a JSONL file written by an earlier run, decompressed as its
/// name says. A missing file has none. A file cut off by a hard kill (a temporary file
/// left by SIGKILL) gives the lines before the cut: a last line without its newline is
/// dropped, and so is a compressed stream's damaged tail.
pub fn read_complete_lines(path: &Path) -> io::Result<Vec<Vec<u8>>> {
    use std::io::Read;
    let file = match fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut r: Box<dyn Read> = match compression_of(path) {
        Compression::None => Box::new(file),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(io::BufReader::new(file))),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(file)?),
    };
    let mut bytes = Vec::new();
    let mut chunk = vec![0u8; 1 << 16];
    loop {
        match r.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            // A compressed stream cut off or damaged: keep what came before.
            Err(_) if compression_of(path) != Compression::None => break,
            Err(e) => return Err(e),
        }
    }
    let mut lines: Vec<Vec<u8>> = bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    // The piece after the last newline is either empty or a torn line.
    lines.pop();
    Ok(lines)
}

/// Temporary files of `path` left by earlier runs that did not finish (killed hard):
/// `.NAME.tmp-PID` in the same folder, whatever the PID.
pub fn stale_temps(path: &Path) -> Vec<PathBuf> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{name}.tmp-");
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut out: Vec<PathBuf> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .map(|e| path.with_file_name(e.file_name()))
        .collect();
    out.sort();
    out
}

impl Drop for JsonlWriter {
    fn drop(&mut self) {
        if let Some((tmp, _)) = self.paths.take() {
            let _ = fs::remove_file(tmp);
        }
    }
}

/// An I/O problem with one of a run's output files, naming it.
#[derive(Debug)]
pub struct OutputError {
    /// The file (or `<stdout>`).
    pub what: String,
    pub error: io::Error,
}

impl std::fmt::Display for OutputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.what, self.error)
    }
}

impl std::error::Error for OutputError {}

/// What `--resume` keeps from earlier runs: the lines of OUT and of the rejects file
/// (then of their stale temporary files), each `source` once.
#[derive(Debug, Default)]
pub struct Resumed {
    /// Every `source` already written.
    pub sources: std::collections::HashSet<String>,
    out: Vec<Vec<u8>>,
    rejects: Vec<Vec<u8>>,
    /// Temporary files read, removed once the new files are in place.
    stale: Vec<PathBuf>,
}

impl Resumed {
    /// Read the complete lines of `out` and `rejects` and of their temporary files
    /// left by a hard kill. A line that is not a record (a killed run's damage) is
    /// dropped.
    pub fn load(out: &Path, rejects: Option<&Path>) -> Result<Resumed, OutputError> {
        let mut r = Resumed::default();
        for (path, is_out) in [(Some(out), true), (rejects, false)] {
            let Some(path) = path else { continue };
            let stale = stale_temps(path);
            for f in std::iter::once(path.to_path_buf()).chain(stale.iter().cloned()) {
                let lines = read_complete_lines(&f).map_err(|error| OutputError {
                    what: f.display().to_string(),
                    error,
                })?;
                for line in lines {
                    let Ok(v) = serde_json::from_slice::<serde_json::Value>(&line) else {
                        continue;
                    };
                    let Some(src) = v.get("source").and_then(|s| s.as_str()) else {
                        continue;
                    };
                    if r.sources.insert(src.to_string()) {
                        if is_out { &mut r.out } else { &mut r.rejects }.push(line);
                    }
                }
            }
            r.stale.extend(stale);
        }
        Ok(r)
    }
}

/// A batch run's outputs: `ok` records to OUT (a file or stdout), the others to the
/// rejects file when there is one. Both are written under temporary names until
/// [`Outputs::finish`].
pub struct Outputs {
    out: (JsonlWriter, String),
    rejects: Option<(JsonlWriter, String)>,
    resumed: Resumed,
}

impl Outputs {
    /// Open OUT (`None`: stdout) and the rejects file (`None`: rejects are not
    /// written). With `resume`, the records of earlier runs are read first and copied
    /// into the new files, and [`Outputs::is_done`] tells which pages to skip.
    pub fn open(
        out: Option<&Path>,
        rejects: Option<&Path>,
        resume: bool,
    ) -> Result<Outputs, OutputError> {
        let resumed = match (out, resume) {
            (Some(o), true) => Resumed::load(o, rejects)?,
            _ => Resumed::default(),
        };
        let open = |p: &Path| {
            JsonlWriter::create(p)
                .map(|w| (w, p.display().to_string()))
                .map_err(|error| OutputError {
                    what: p.display().to_string(),
                    error,
                })
        };
        let mut out = match out {
            Some(p) => open(p)?,
            None => (JsonlWriter::stdout(), "<stdout>".to_string()),
        };
        let mut rejects = rejects.map(open).transpose()?;
        for line in &resumed.out {
            out.0.write_line(line).map_err(|e| failed(&out.1, e))?;
        }
        if let Some((w, name)) = &mut rejects {
            for line in &resumed.rejects {
                w.write_line(line).map_err(|e| failed(name, e))?;
            }
        }
        Ok(Outputs {
            out,
            rejects,
            resumed,
        })
    }

    /// Whether an earlier run already wrote the record of `source` (`--resume`).
    pub fn is_done(&self, source: &str) -> bool {
        self.resumed.sources.contains(source)
    }

    /// Write one record where its status sends it (a reject without a rejects file is
    /// only counted by the caller).
    pub fn write(&mut self, rec: &Record) -> Result<(), OutputError> {
        match (&mut self.rejects, rec.is_ok()) {
            (_, true) => self.out.0.write(rec).map_err(|e| failed(&self.out.1, e)),
            (Some((w, name)), false) => w.write(rec).map_err(|e| failed(name, e)),
            (None, false) => Ok(()),
        }
    }

    /// Close both files under their final names, rejects first (a finished OUT, such
    /// as a shard's part file, means the run is complete), then remove the temporary
    /// files that `--resume` read.
    pub fn finish(self) -> Result<(), OutputError> {
        if let Some((w, name)) = self.rejects {
            w.finish().map_err(|e| failed(&name, e))?;
        }
        let (w, name) = self.out;
        w.finish().map_err(|e| failed(&name, e))?;
        for f in &self.resumed.stale {
            let _ = fs::remove_file(f);
        }
        Ok(())
    }

    /// Close both files but leave their lines under the temporary names, for a later
    /// `--resume` (an interrupted shard, whose part file must not look complete).
    pub fn keep_temporary(self) -> Result<(), OutputError> {
        if let Some((w, name)) = self.rejects {
            w.keep_temporary().map_err(|e| failed(&name, e))?;
        }
        let (w, name) = self.out;
        w.keep_temporary().map_err(|e| failed(&name, e))
    }
}

fn failed(what: &str, error: io::Error) -> OutputError {
    OutputError {
        what: what.to_string(),
        error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_appears_only_on_finish() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("out.jsonl");
        let mut w = JsonlWriter::create(&p).unwrap();
        w.write(&Record::reject("a", "ok", None)).unwrap();
        assert!(!p.exists());
        w.finish().unwrap();
        let s = fs::read_to_string(&p).unwrap();
        assert_eq!(s.lines().count(), 1);
        assert_eq!(
            fs::read_dir(d.path()).unwrap().count(),
            1,
            "no temp file left"
        );
    }

    #[test]
    fn outputs_route_by_status_and_resume_keeps_earlier_lines() {
        let d = tempfile::tempdir().unwrap();
        let (out, rej) = (d.path().join("out.jsonl"), d.path().join("rej.jsonl"));
        let mut o = Outputs::open(Some(&out), Some(&rej), false).unwrap();
        o.write(&Record::reject("a.html", "ok", None)).unwrap();
        o.write(&Record::reject("b.html", "binary", None)).unwrap();
        o.finish().unwrap();
        assert!(fs::read_to_string(&out).unwrap().contains("\"a.html\""));
        assert!(fs::read_to_string(&rej).unwrap().contains("\"b.html\""));

        // A killed run left a temp file with one complete line and a torn one.
        let tmp = d.path().join(".out.jsonl.tmp-99");
        let line = serde_json::to_string(&Record::reject("c.html", "ok", None)).unwrap();
        fs::write(&tmp, format!("{line}\n{{\"source\":\"d.ht")).unwrap();
        let mut o = Outputs::open(Some(&out), Some(&rej), true).unwrap();
        assert!(o.is_done("a.html") && o.is_done("b.html") && o.is_done("c.html"));
        assert!(!o.is_done("d.html"));
        o.write(&Record::reject("d.html", "ok", None)).unwrap();
        o.finish().unwrap();
        let text = fs::read_to_string(&out).unwrap();
        let sources: Vec<_> = text
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["source"].clone())
            .collect();
        assert_eq!(sources, ["a.html", "c.html", "d.html"]);
        assert!(!tmp.exists(), "the temp file read by --resume is removed");
        assert_eq!(fs::read_to_string(&rej).unwrap().lines().count(), 1);
    }

    #[test]
    fn dropped_writer_leaves_nothing() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("out.jsonl");
        let mut w = JsonlWriter::create(&p).unwrap();
        w.write(&Record::reject("a", "ok", None)).unwrap();
        drop(w);
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 0);
    }

    #[test]
    fn compressed_output_by_extension() {
        use std::io::Read;
        let d = tempfile::tempdir().unwrap();
        for name in ["out.jsonl.gz", "out.jsonl.zst"] {
            let p = d.path().join(name);
            let mut w = JsonlWriter::create(&p).unwrap();
            for i in 0..100 {
                w.write(&Record::reject(&format!("p{i}"), "ok", None))
                    .unwrap();
            }
            w.finish().unwrap();
            let raw = fs::read(&p).unwrap();
            let mut text = String::new();
            if name.ends_with(".gz") {
                flate2::read::MultiGzDecoder::new(&raw[..])
                    .read_to_string(&mut text)
                    .unwrap();
            } else {
                zstd::stream::read::Decoder::new(&raw[..])
                    .unwrap()
                    .read_to_string(&mut text)
                    .unwrap();
            }
            assert_eq!(text.lines().count(), 100, "{name}");
            assert!(raw.len() < text.len() / 2, "{name} is compressed");
        }
        assert_eq!(
            default_rejects_path(Path::new("x/clean.jsonl.zst")),
            Path::new("x/clean.rejects.jsonl.zst")
        );
    }

    #[test]
    fn torn_last_line_is_dropped_and_stale_temps_found() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("out.jsonl");
        let stale = d.path().join(".out.jsonl.tmp-99999");
        fs::write(&stale, "{\"source\":\"a\"}\n{\"source\":\"b\"}\n{\"sour").unwrap();
        assert_eq!(stale_temps(&p), vec![stale.clone()]);
        let lines = read_complete_lines(&stale).unwrap();
        assert_eq!(
            lines,
            vec![
                b"{\"source\":\"a\"}".to_vec(),
                b"{\"source\":\"b\"}".to_vec()
            ]
        );
        assert!(
            read_complete_lines(&p).unwrap().is_empty(),
            "missing file: no lines"
        );
        // A gzip stream cut in the middle keeps the lines before the cut.
        let gz = d.path().join("out.jsonl.gz");
        let mut w = JsonlWriter::create(&gz).unwrap();
        for i in 0..2000 {
            w.write(&Record::reject(&format!("page-{i}"), "ok", None))
                .unwrap();
        }
        w.finish().unwrap();
        let raw = fs::read(&gz).unwrap();
        fs::write(&gz, &raw[..raw.len() / 2]).unwrap();
        let n = read_complete_lines(&gz).unwrap().len();
        assert!(n > 0 && n < 2000, "{n}");
    }

    #[test]
    fn rejects_name() {
        assert_eq!(
            default_rejects_path(Path::new("x/clean.jsonl")),
            Path::new("x/clean.rejects.jsonl")
        );
        assert_eq!(
            default_rejects_path(Path::new("out")),
            Path::new("out.rejects.jsonl")
        );
    }
}
