//! Sources: find every page under the inputs (files, folders, `-` for paths on stdin)
//! in a stable sorted order, and read one page's bytes (gunzipping `.gz`) within limits.

use std::collections::HashSet;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::decode::ContentKind;

/// One page found under an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Where to read it.
    pub path: PathBuf,
    /// The path relative to the input root it was found under (the input itself for files).
    pub source: String,
    /// What the file name suggests.
    pub kind_hint: Option<ContentKind>,
    /// Whether the file is gzip-compressed (by its name).
    pub gzip: bool,
}

/// A problem met while walking that does not stop the batch (e.g. an unreadable subfolder).
#[derive(Debug)]
pub struct WalkError {
    pub path: PathBuf,
    pub error: io::Error,
}

/// The pages found, and the non-fatal problems met on the way.
#[derive(Debug, Default)]
pub struct Walk {
    pub items: Vec<Item>,
    pub errors: Vec<WalkError>,
}

/// A fatal problem with an input root (it does not exist, or cannot be read).
#[derive(Debug)]
pub struct RootError {
    pub path: PathBuf,
    pub error: io::Error,
}

impl std::fmt::Display for RootError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.error)
    }
}

/// The page extensions a folder walk picks up (each also with `.gz`).
pub const PAGE_EXTENSIONS: &[&str] = &["html", "htm", "xhtml", "txt"];

/// What a file name says about a page: `Some((kind, gzip))` for page files, else `None`.
pub fn classify_name(name: &str) -> Option<(ContentKind, bool)> {
    let lower = name.to_ascii_lowercase();
    let (base, gzip) = match lower.strip_suffix(".gz") {
        Some(b) => (b, true),
        None => (lower.as_str(), false),
    };
    let ext = base.rsplit_once('.')?.1;
    match ext {
        "html" | "htm" | "xhtml" => Some((ContentKind::Html, gzip)),
        "txt" => Some((ContentKind::Text, gzip)),
        _ => None,
    }
}

/// Find the pages under `inputs`, sorted by `source` (so the output order does not depend
/// on the order the inputs were given in), each path once. Folders are walked recursively;
/// symlinked folders are followed once (no loops). A file named explicitly is taken
/// whatever its extension.
pub fn walk(inputs: &[PathBuf]) -> Result<Walk, RootError> {
    let mut out = Walk::default();
    for root in inputs {
        let meta = fs::metadata(root).map_err(|error| RootError {
            path: root.clone(),
            error,
        })?;
        if meta.is_file() {
            let name = root
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let (kind_hint, gzip) = match classify_name(&name) {
                Some((k, g)) => (Some(k), g),
                None => (None, name.to_ascii_lowercase().ends_with(".gz")),
            };
            out.items.push(Item {
                path: root.clone(),
                source: root.to_string_lossy().into_owned(),
                kind_hint,
                gzip,
            });
            continue;
        }
        fs::read_dir(root).map_err(|error| RootError {
            path: root.clone(),
            error,
        })?;
        walk_dir(root, &mut out);
    }
    out.items
        .sort_by(|a, b| a.source.cmp(&b.source).then_with(|| a.path.cmp(&b.path)));
    out.items.dedup_by(|a, b| a.path == b.path);
    Ok(out)
}

/// Walk one folder tree without recursion (deep trees cannot overflow the stack).
fn walk_dir(root: &Path, out: &mut Walk) {
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        // Canonical paths identify a folder reached twice through symlinks.
        match fs::canonicalize(&dir) {
            Ok(c) => {
                if !seen.insert(c) {
                    continue;
                }
            }
            Err(error) => {
                out.errors.push(WalkError { path: dir, error });
                continue;
            }
        }
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(error) => {
                out.errors.push(WalkError { path: dir, error });
                continue;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(e) => e,
                Err(error) => {
                    out.errors.push(WalkError {
                        path: dir.clone(),
                        error,
                    });
                    continue;
                }
            };
            let path = entry.path();
            // file_type() does not follow symlinks; metadata() does.
            let is_dir = match entry.file_type() {
                Ok(t) if t.is_symlink() => fs::metadata(&path).map(|m| m.is_dir()).unwrap_or(false),
                Ok(t) => t.is_dir(),
                Err(_) => false,
            };
            if is_dir {
                stack.push(path);
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some((kind, gzip)) = classify_name(&name) {
                let rel = path.strip_prefix(root).unwrap_or(&path);
                let source = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                found.push(Item {
                    path,
                    source,
                    kind_hint: Some(kind),
                    gzip,
                });
            }
        }
    }
    out.items.extend(found);
}

/// Why a page could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    /// The record status: `too_large` or `error`.
    pub status: &'static str,
    pub message: String,
}

/// Read a page's bytes, gunzipping when needed, refusing more than `max_bytes`
/// (which also stops gzip bombs).
pub fn read(item: &Item, max_bytes: u64) -> Result<Vec<u8>, ReadError> {
    let io_err = |e: io::Error| ReadError {
        status: "error",
        message: e.to_string(),
    };
    let file = fs::File::open(&item.path).map_err(io_err)?;
    let mut buf = Vec::new();
    if item.gzip {
        let mut dec =
            flate2::read::MultiGzDecoder::new(io::BufReader::new(file)).take(max_bytes + 1);
        dec.read_to_end(&mut buf).map_err(|e| ReadError {
            status: "error",
            message: match e.kind() {
                io::ErrorKind::UnexpectedEof => "truncated gzip stream".to_string(),
                _ => format!("bad gzip stream: {e}"),
            },
        })?;
    } else {
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        if len > max_bytes {
            return Err(too_large(max_bytes));
        }
        buf.reserve(len as usize);
        file.take(max_bytes + 1)
            .read_to_end(&mut buf)
            .map_err(io_err)?;
    }
    if buf.len() as u64 > max_bytes {
        return Err(too_large(max_bytes));
    }
    Ok(buf)
}

fn too_large(max: u64) -> ReadError {
    ReadError {
        status: "too_large",
        message: format!("page is larger than limits.max_page_bytes ({max} bytes)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_classify_by_extension() {
        assert_eq!(classify_name("a.HTML"), Some((ContentKind::Html, false)));
        assert_eq!(classify_name("a.txt.gz"), Some((ContentKind::Text, true)));
        assert_eq!(classify_name("a.xhtml.gz"), Some((ContentKind::Html, true)));
        assert_eq!(classify_name("a.json"), None);
        assert_eq!(classify_name("gz"), None);
    }

    #[test]
    fn walk_is_sorted_recursive_and_survives_symlink_loops() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir_all(d.path().join("b/c")).unwrap();
        fs::write(d.path().join("b/c/z.html"), "<p>x</p>").unwrap();
        fs::write(d.path().join("a.txt"), "x").unwrap();
        fs::write(d.path().join("skip.json"), "{}").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(d.path(), d.path().join("b/loop")).unwrap();
        let w = walk(&[d.path().to_path_buf()]).unwrap();
        let sources: Vec<_> = w.items.iter().map(|i| i.source.as_str()).collect();
        assert_eq!(sources, vec!["a.txt", "b/c/z.html"]);
    }

    #[test]
    fn missing_root_is_fatal() {
        assert!(walk(&[PathBuf::from("/no/such/dir")]).is_err());
    }

    #[test]
    fn gzip_is_limited_and_truncation_reported() {
        use std::io::Write;
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a.html.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(&vec![b'a'; 10_000]).unwrap();
        let gz = enc.finish().unwrap();
        fs::write(&p, &gz).unwrap();
        let item = Item {
            path: p.clone(),
            source: "a.html.gz".into(),
            kind_hint: None,
            gzip: true,
        };
        assert_eq!(read(&item, 20_000).unwrap().len(), 10_000);
        assert_eq!(read(&item, 1_000).unwrap_err().status, "too_large");
        fs::write(&p, &gz[..gz.len() / 2]).unwrap();
        assert!(read(&item, 20_000)
            .unwrap_err()
            .message
            .contains("truncated"));
    }
}
