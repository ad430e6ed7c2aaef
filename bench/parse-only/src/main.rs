//! parse-only: walk a folder, read every `.html`/`.htm`/`.xhtml` page (gunzipping
//! `.gz`), decode it as UTF-8 (lossy), parse it with `scraper::Html::parse_document`
//! and count the nodes, on one thread. It prints one line of `key=value` pairs:
//! `pages= bytes= nodes= secs=`, where `bytes` is the decompressed input size.
//!
//! It is the floor boilerstrip is measured against in bench/speed: no extraction,
//! no output, only what any HTML extractor built on the same parser must pay.

use std::fs;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn is_page(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let base = lower.strip_suffix(".gz").unwrap_or(&lower);
    base.ends_with(".html") || base.ends_with(".htm") || base.ends_with(".xhtml")
}

/// Every page under `root`, sorted (iterative walk; symlinks to files are followed).
fn pages(root: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .file_name()
                .is_some_and(|n| is_page(&n.to_string_lossy()))
            {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn read(path: &Path, buf: &mut Vec<u8>) -> io::Result<()> {
    buf.clear();
    let file = fs::File::open(path)?;
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
    {
        flate2::read::MultiGzDecoder::new(BufReader::new(file)).read_to_end(buf)?;
    } else {
        BufReader::new(file).read_to_end(buf)?;
    }
    Ok(())
}

fn main() {
    let Some(root) = std::env::args_os().nth(1) else {
        eprintln!("usage: parse-only FOLDER");
        std::process::exit(2);
    };
    let start = Instant::now();
    let files = match pages(Path::new(&root)) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("parse-only: {}: {e}", Path::new(&root).display());
            std::process::exit(2);
        }
    };
    let (mut n, mut bytes, mut nodes) = (0u64, 0u64, 0u64);
    let mut buf = Vec::new();
    for f in &files {
        if let Err(e) = read(f, &mut buf) {
            eprintln!("parse-only: {}: {e}", f.display());
            continue;
        }
        let text = String::from_utf8_lossy(&buf);
        let doc = scraper::Html::parse_document(&text);
        // Counting the nodes keeps the parse from being optimised away.
        nodes += doc.tree.nodes().count() as u64;
        bytes += buf.len() as u64;
        n += 1;
    }
    println!(
        "pages={n} bytes={bytes} nodes={nodes} secs={:.6}",
        start.elapsed().as_secs_f64()
    );
}
