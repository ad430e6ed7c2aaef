//! Sources: find every page under the inputs (files, folders, `-` for paths on stdin)
//! in a stable sorted order, and read one page's bytes (gunzipping `.gz`) within limits.
//! A WARC file (`.warc`, `.warc.gz`) is one item that expands into its records when
//! read (see [`crate::warc`]).

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

pub use crate::warc::is_warc_name;

/// Whether an item is a WARC file (by its name), to be read record by record.
pub fn is_warc(item: &Item) -> bool {
    item.path
        .file_name()
        .is_some_and(|n| is_warc_name(&n.to_string_lossy()))
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
            let class = classify_name(&name)
                .map(|(k, g)| (Some(k), g))
                .or_else(|| is_warc_name(&name).then(|| (None, name.ends_with(".gz"))));
            if let Some((kind_hint, gzip)) = class {
                let rel = path.strip_prefix(root).unwrap_or(&path);
                let source = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                found.push(Item {
                    path,
                    source,
                    kind_hint,
                    gzip,
                });
            }
        }
    }
    out.items.extend(found);
}

/// What decides an item's shard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ShardBy {
    /// The item's `source` (a page file, or a whole WARC file): balanced, but a folder's
    /// pages are spread over the shards, so site-template learning sees only a shard's share.
    #[default]
    Page,
    /// The item's folder: a folder stays in one shard, so learning sees all its pages and
    /// the records equal a single run's; balanced only over many folders.
    Folder,
}

/// One shard `index` of `count` (`0 <= index < count`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// Parse `K/N`; `auto/N` or `/N` takes K from `SLURM_ARRAY_TASK_ID`, then
    /// `JOB_COMPLETION_INDEX` (Kubernetes Indexed Jobs), via `env`.
    pub fn parse(spec: &str, env: impl Fn(&str) -> Option<String>) -> Result<Shard, String> {
        let (k, n) = spec
            .split_once('/')
            .ok_or_else(|| format!("--shard {spec:?}: expected K/N, e.g. 3/16 or auto/16"))?;
        let count: u32 = n
            .trim()
            .parse()
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| format!("--shard {spec:?}: N must be a positive integer"))?;
        let k = k.trim();
        let (k, from) = if k.is_empty() || k == "auto" {
            ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"]
                .iter()
                .find_map(|v| env(v).map(|x| (x, *v)))
                .ok_or_else(|| {
                    format!("--shard {spec:?}: neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set")
                })?
        } else {
            (k.to_string(), "K")
        };
        let index: u32 = k
            .trim()
            .parse()
            .map_err(|_| format!("--shard {spec:?}: {from} = {k:?} is not an integer"))?;
        if index >= count {
            return Err(format!(
                "--shard {spec:?}: {from} = {index} is not below N = {count} (shards count from 0)"
            ));
        }
        Ok(Shard { index, count })
    }

    /// The shard a key falls in: 64-bit FNV-1a of the key (stable across releases and
    /// platforms, unlike std's hasher), mixed by the SplitMix64 finaliser (FNV's low bits
    /// are weak) and mapped to `0..count` by multiply-high.
    pub fn of(key: &str, count: u32) -> u32 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in key.as_bytes() {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h ^= h >> 30;
        h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
        h ^= h >> 27;
        h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
        h ^= h >> 31;
        ((u128::from(h) * u128::from(count)) >> 64) as u32
    }

    /// Whether `item` belongs to this shard.
    pub fn holds(&self, item: &Item, by: ShardBy) -> bool {
        let key = match by {
            ShardBy::Page => item.source.as_str(),
            ShardBy::Folder => item.source.rfind('/').map_or("", |i| &item.source[..i]),
        };
        Shard::of(key, self.count) == self.index
    }

    /// The part file name: `part-K-of-N.jsonl`.
    pub fn part_name(&self) -> String {
        format!("part-{}-of-{}.jsonl", self.index, self.count)
    }
}

/// Why a page could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    /// The record status: `too_large` or `error`.
    pub status: &'static str,
    pub message: String,
}

/// Read a page's bytes within `limits`: at most `max_page_bytes`, and a `.gz` file
/// gives up past `max_decompressed_bytes` of inflated data (gzip bombs), both `too_large`.
pub fn read_within(item: &Item, limits: &crate::config::Limits) -> Result<Vec<u8>, ReadError> {
    if item.gzip && limits.max_decompressed_bytes < limits.max_page_bytes {
        return read(item, limits.max_decompressed_bytes).map_err(|mut e| {
            if e.status == "too_large" {
                e.message = format!(
                    "gzip data inflates past limits.max_decompressed_bytes ({} bytes)",
                    limits.max_decompressed_bytes
                );
            }
            e
        });
    }
    read(item, limits.max_page_bytes)
}

/// Read a page's bytes, gunzipping when needed, refusing more than `max_bytes`
/// (which also stops gzip bombs).
pub fn read(item: &Item, max_bytes: u64) -> Result<Vec<u8>, ReadError> {
    let io_err = |e: io::Error| ReadError {
        status: "error",
        message: e.to_string(),
    };
    let mut file = fs::File::open(&item.path).map_err(io_err)?;
    let mut buf = Vec::new();
    if item.gzip {
        // Sized once from the gzip trailer: growing the buffer by doubling copies and
        // zero-fills about twice the page.
        if let Some(n) = gzip_size_hint(&mut file).map_err(io_err)? {
            buf.reserve(n.min(max_bytes + 1) as usize);
        }
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

/// The uncompressed size a gzip file's trailer records (ISIZE: the last member's size
/// modulo 2^32, so only a hint), leaving the file positioned at its start.
fn gzip_size_hint(file: &mut fs::File) -> io::Result<Option<u64>> {
    use std::io::{Seek, SeekFrom};
    let len = file.metadata()?.len();
    // A header (10 bytes) and a trailer (8) at least.
    if len < 18 {
        return Ok(None);
    }
    file.seek(SeekFrom::End(-4))?;
    let mut isize = [0u8; 4];
    let read = file.read_exact(&mut isize);
    file.seek(SeekFrom::Start(0))?;
    Ok(read.ok().map(|()| u64::from(u32::from_le_bytes(isize))))
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
        fs::write(d.path().join("b/crawl.warc.gz"), "").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(d.path(), d.path().join("b/loop")).unwrap();
        let w = walk(&[d.path().to_path_buf()]).unwrap();
        let sources: Vec<_> = w.items.iter().map(|i| i.source.as_str()).collect();
        assert_eq!(sources, vec!["a.txt", "b/c/z.html", "b/crawl.warc.gz"]);
        assert!(is_warc(&w.items[2]) && !is_warc(&w.items[0]));
    }

    #[test]
    fn shard_specs() {
        let none = |_: &str| None;
        assert_eq!(
            Shard::parse("3/16", none),
            Ok(Shard {
                index: 3,
                count: 16
            })
        );
        assert!(Shard::parse("16/16", none).is_err());
        assert!(Shard::parse("auto/4", none).is_err());
        let slurm = |v: &str| (v == "SLURM_ARRAY_TASK_ID").then(|| "2".to_string());
        assert_eq!(Shard::parse("auto/4", slurm).unwrap().index, 2);
        let k8s = |v: &str| (v == "JOB_COMPLETION_INDEX").then(|| "1".to_string());
        assert_eq!(Shard::parse("/4", k8s).unwrap().index, 1);
        assert_eq!(Shard::of("anything", 1), 0);
    }

    #[test]
    fn shards_are_balanced_on_similar_names() {
        // Names that differ only in a counter, the hard case for a weak hash.
        for n in [2u32, 3, 16, 100] {
            let mut counts = vec![0usize; n as usize];
            let total = 100_000;
            for i in 0..total {
                counts[Shard::of(&format!("pages/{i}.html.gz"), n) as usize] += 1;
            }
            let mean = total as f64 / f64::from(n);
            // Within 5 standard deviations of a fair split.
            for c in counts {
                assert!(
                    (c as f64 - mean).abs() < 5.0 * mean.sqrt(),
                    "{n}: {c} vs {mean}"
                );
            }
        }
    }

    #[test]
    fn missing_root_is_fatal() {
        assert!(walk(&[PathBuf::from("/no/such/dir")]).is_err());
    }

    /// `text` as one gzip member.
    fn gzip(text: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(text).unwrap();
        enc.finish().unwrap()
    }

    /// An `.html.gz` item at `p`.
    fn gz_item(p: &std::path::Path) -> Item {
        Item {
            path: p.to_path_buf(),
            source: "a.html.gz".into(),
            kind_hint: None,
            gzip: true,
        }
    }

    #[test]
    fn gzip_is_limited_and_truncation_reported() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a.html.gz");
        let gz = gzip(&[b'a'; 10_000]);
        fs::write(&p, &gz).unwrap();
        let item = gz_item(&p);
        assert_eq!(read(&item, 20_000).unwrap().len(), 10_000);
        assert_eq!(read(&item, 1_000).unwrap_err().status, "too_large");
        fs::write(&p, &gz[..gz.len() / 2]).unwrap();
        assert!(read(&item, 20_000)
            .unwrap_err()
            .message
            .contains("truncated"));
    }

    /// The buffer is sized from the trailer, which records only the last member's size
    /// (and can lie): every member is still read, whatever the trailer says.
    #[test]
    fn gzip_members_read_whole_whatever_the_trailer_says() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a.html.gz");
        let mut gz = gzip(&[b'a'; 5_000]);
        gz.extend(gzip(b"<p>end</p>"));
        fs::write(&p, &gz).unwrap();
        let item = gz_item(&p);
        let page = read(&item, 20_000).unwrap();
        assert_eq!(page.len(), 5_010);
        assert!(page.ends_with(b"<p>end</p>"));
        // A trailer claiming 4 GB: the reservation is capped by the page limit, and
        // the size check still rejects the file.
        let n = gz.len();
        gz[n - 4..].copy_from_slice(&u32::MAX.to_le_bytes());
        fs::write(&p, &gz).unwrap();
        assert!(read(&item, 20_000)
            .unwrap_err()
            .message
            .contains("bad gzip"));
    }
}
