//! Sinks: JSONL output to stdout or to a file written under a temporary name and
//! renamed at the end, so no half-written file ever sits under the final name.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::record::Record;

/// A JSONL writer. Dropping it without [`JsonlWriter::finish`] removes the temporary file.
pub struct JsonlWriter {
    out: BufWriter<Box<dyn Write + Send>>,
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

/// The default rejects file for `out`: `clean.jsonl` → `clean.rejects.jsonl`.
pub fn default_rejects_path(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.strip_suffix(".jsonl").unwrap_or(&name);
    out.with_file_name(format!("{stem}.rejects.jsonl"))
}

impl JsonlWriter {
    /// Write to standard output.
    pub fn stdout() -> Self {
        JsonlWriter {
            out: BufWriter::with_capacity(1 << 16, Box::new(io::stdout())),
            paths: None,
            line: Vec::with_capacity(1 << 14),
            count: 0,
        }
    }

    /// Write to `path`, through a temporary file in the same folder.
    pub fn create(path: &Path) -> io::Result<Self> {
        let tmp = temp_path(path);
        let file = fs::File::create(&tmp)?;
        Ok(JsonlWriter {
            out: BufWriter::with_capacity(1 << 16, Box::new(file)),
            paths: Some((tmp, path.to_path_buf())),
            line: Vec::with_capacity(1 << 14),
            count: 0,
        })
    }

    /// Append one record as a line.
    pub fn write(&mut self, rec: &Record) -> io::Result<()> {
        self.line.clear();
        serde_json::to_writer(&mut self.line, rec).map_err(io::Error::other)?;
        self.line.push(b'\n');
        self.out.write_all(&self.line)?;
        self.count += 1;
        Ok(())
    }

    /// Flush; for files, sync and rename the temporary file to the final name.
    pub fn finish(mut self) -> io::Result<()> {
        self.out.flush()?;
        if let Some((tmp, dest)) = self.paths.take() {
            // Closing the file before the rename; errors of the close surface in flush above.
            let out = std::mem::replace(&mut self.out, BufWriter::new(Box::new(io::sink())));
            drop(out);
            if let Err(e) = fs::rename(&tmp, &dest) {
                let _ = fs::remove_file(&tmp);
                return Err(e);
            }
        }
        Ok(())
    }

    /// The final path, when writing a file.
    pub fn path(&self) -> Option<&Path> {
        self.paths.as_ref().map(|(_, p)| p.as_path())
    }
}

impl Drop for JsonlWriter {
    fn drop(&mut self) {
        if let Some((tmp, _)) = self.paths.take() {
            let _ = fs::remove_file(tmp);
        }
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
    fn dropped_writer_leaves_nothing() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("out.jsonl");
        let mut w = JsonlWriter::create(&p).unwrap();
        w.write(&Record::reject("a", "ok", None)).unwrap();
        drop(w);
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 0);
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
