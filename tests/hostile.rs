//! Hostile input: each case must end in a record or a named reject, never a crash or a
//! stopped batch. Big inputs are generated here at run time, not shipped as fixtures.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn bin() -> Command {
    Command::cargo_bin("boilerstrip").unwrap()
}

/// A page that extracts fine, next to each hostile one: the batch must carry on.
const GOOD: &str = "<html><head><title>Fine</title></head><body><article><p>This ordinary \
    article paragraph is long enough to be kept as the main text of the page.</p></article></body></html>";

/// Run over `dir` with `extra` args; every record and reject by source, and stderr.
fn run(dir: &Path, extra: &[&str]) -> (BTreeMap<String, Value>, String) {
    fs::write(dir.join("zz-good.html"), GOOD).unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("out.jsonl");
    let res = bin()
        .arg("run")
        .arg(dir)
        .arg("-o")
        .arg(&out)
        .args(["-j", "2"])
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&res.stderr).into_owned();
    assert_eq!(res.status.code(), Some(0), "{stderr}");
    let mut recs = BTreeMap::new();
    for p in [out.clone(), out_dir.path().join("out.rejects.jsonl")] {
        for line in fs::read_to_string(p).unwrap_or_default().lines() {
            let v: Value = serde_json::from_str(line).unwrap();
            recs.insert(v["source"].as_str().unwrap().to_string(), v);
        }
    }
    assert_eq!(recs["zz-good.html"]["status"], "ok", "the batch carried on");
    (recs, stderr)
}

fn one(name: &str, bytes: &[u8], extra: &[&str]) -> Value {
    let d = tempfile::tempdir().unwrap();
    fs::write(d.path().join(name), bytes).unwrap();
    let (recs, _) = run(d.path(), extra);
    recs[name].clone()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn config(d: &Path, toml: &str) -> String {
    let p = d.join("limits.toml");
    fs::write(&p, toml).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn random_bytes_are_rejected_as_binary() {
    // A fixed xorshift stream: the same "random" page every run.
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let bytes: Vec<u8> = (0..50_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    assert_eq!(one("noise.html", &bytes, &[])["status"], "binary");
}

#[test]
fn truncated_gzip_is_an_error_record() {
    let gz = gzip(GOOD.repeat(50).as_bytes());
    let r = one("cut.html.gz", &gz[..gz.len() / 2], &[]);
    assert_eq!(r["status"], "error");
    assert!(r["error"].as_str().unwrap().contains("truncated"), "{r}");
}

#[test]
fn gzip_bomb_stops_at_the_decompressed_limit() {
    // 20 MB of zeros in about 20 KB; the limit is lowered so the test stays small.
    let bomb = gzip(&vec![0u8; 20 << 20]);
    assert!(bomb.len() < 100_000);
    let d = tempfile::tempdir().unwrap();
    let cfg = config(d.path(), "[limits]\nmax_decompressed_bytes = 1000000\n");
    let pages = tempfile::tempdir().unwrap();
    fs::write(pages.path().join("bomb.html.gz"), &bomb).unwrap();
    let (recs, _) = run(pages.path(), &["--config", &cfg]);
    let r = &recs["bomb.html.gz"];
    assert_eq!(r["status"], "too_large");
    assert!(
        r["error"]
            .as_str()
            .unwrap()
            .contains("max_decompressed_bytes"),
        "{r}"
    );
}

#[test]
fn a_100_mb_single_line_page_is_too_large() {
    let d = tempfile::tempdir().unwrap();
    let mut f = fs::File::create(d.path().join("huge.html")).unwrap();
    f.write_all(b"<html><body><p>").unwrap();
    let chunk = b"word ".repeat(1 << 16);
    for _ in 0..(100 << 20) / chunk.len() {
        f.write_all(&chunk).unwrap();
    }
    drop(f);
    let (recs, _) = run(d.path(), &[]);
    assert_eq!(recs["huge.html"]["status"], "too_large");
}

#[test]
fn a_million_attributes_on_one_tag_is_too_complex() {
    let mut page = String::from("<html><body><div");
    for i in 0..1_000_000 {
        page.push_str(&format!(" a{i}=\"v\""));
    }
    page.push_str("><p>text</p></div></body></html>");
    let r = one("attrs.html", page.as_bytes(), &[]);
    assert_eq!(r["status"], "too_complex");
    assert!(
        r["error"].as_str().unwrap().contains("max_attributes"),
        "{r}"
    );
}

#[test]
fn nesting_100000_deep_is_too_complex() {
    let page = format!(
        "<html><body>{}<p>deep</p>{}</body></html>",
        "<div>".repeat(100_000),
        "</div>".repeat(100_000)
    );
    let r = one("deep.html", page.as_bytes(), &[]);
    assert_eq!(r["status"], "too_complex");
    assert!(r["error"].as_str().unwrap().contains("max_depth"), "{r}");
}

#[test]
fn too_many_elements_is_too_complex() {
    let d = tempfile::tempdir().unwrap();
    let cfg = config(d.path(), "[limits]\nmax_nodes = 1000\n");
    let page = format!("<html><body>{}</body></html>", "<p>x</p>".repeat(5_000));
    let r = one("many.html", page.as_bytes(), &["--config", &cfg]);
    assert_eq!(r["status"], "too_complex");
    assert!(r["error"].as_str().unwrap().contains("max_nodes"), "{r}");
}

#[test]
fn mis_nested_tables_keep_their_text() {
    let page = "<html><body><table><tr><td><p>First cell text of the story, \
        written out at length for the extractor.</td><table><td>inner</tr></div></table>\
        <p>After the broken tables comes the rest of the article, also long enough.</p>\
        </td></tr></tbody></body></html>";
    let r = one("tables.html", page.as_bytes(), &[]);
    assert_eq!(r["status"], "ok");
    assert!(
        r["text"].as_str().unwrap().contains("rest of the article"),
        "{r}"
    );
}

#[test]
fn a_page_over_the_time_budget_times_out() {
    // A budget of 1 ms: parsing 5 MB of markup cannot fit in it, however fast the machine.
    let d = tempfile::tempdir().unwrap();
    let cfg = config(d.path(), "[limits]\nmax_page_ms = 1\n");
    let page = format!(
        "<html><body>{}</body></html>",
        "<p>A paragraph of ordinary text in a very long page.</p>".repeat(100_000)
    );
    let r = one("slow.html", page.as_bytes(), &["--config", &cfg]);
    assert_eq!(r["status"], "timeout");
    assert!(r["error"].as_str().unwrap().contains("max_page_ms"), "{r}");
}

#[test]
fn invalid_utf8_in_a_page_declaring_utf8_keeps_the_valid_text() {
    let page = b"<html><head><meta charset=\"utf-8\"><title>T</title></head><body><p>Valid \
        text then bad bytes \xff\xfe\xc3 here and more valid words after them.</p></body></html>";
    let r = one("bad-utf8.html", page, &[]);
    assert_eq!(r["status"], "ok");
    let text = r["text"].as_str().unwrap();
    assert!(text.starts_with("Valid text then bad bytes"), "{text}");
    assert!(text.ends_with("more valid words after them."), "{text}");
}

#[test]
fn utf16_without_a_bom_is_detected() {
    let page = "<html><head><title>Hello</title></head><body><p>This page is UTF-16 little \
        endian with no byte order mark at all, and it has a paragraph.</p></body></html>";
    let bytes: Vec<u8> = page.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let r = one("utf16.html", &bytes, &[]);
    assert_eq!(r["status"], "ok");
    assert_eq!(r["encoding"], "UTF-16LE");
    assert!(r["text"].as_str().unwrap().contains("no byte order mark"));
}

#[test]
fn nul_bytes_are_removed_from_the_text() {
    let page = b"A title line\n\nThis is a paragraph of text\x00 with a NUL byte in the middle \
        of it, long enough to be kept as the article body.\n";
    let r = one("nul.txt", page, &[]);
    assert_eq!(r["status"], "ok");
    let text = r["text"].as_str().unwrap();
    assert!(
        !text.contains('\0') && text.contains("text with a NUL byte"),
        "{text}"
    );
}

#[cfg(unix)]
#[test]
fn odd_file_system_entries_each_get_a_record() {
    use std::os::unix::ffi::OsStrExt;
    let d = tempfile::tempdir().unwrap();
    // A name that is not UTF-8 (Latin-1 "café").
    let latin1 = std::ffi::OsStr::from_bytes(b"caf\xe9.html");
    fs::write(d.path().join(latin1), GOOD).unwrap();
    // A symlink to itself, and a symlink to nothing: unreadable whoever runs the test.
    std::os::unix::fs::symlink("loop.html", d.path().join("loop.html")).unwrap();
    std::os::unix::fs::symlink("gone.html", d.path().join("dangling.html")).unwrap();
    // A folder symlinked into itself is walked once.
    fs::create_dir(d.path().join("sub")).unwrap();
    std::os::unix::fs::symlink("..", d.path().join("sub/up")).unwrap();
    let (recs, _) = run(d.path(), &[]);
    assert_eq!(recs["caf\u{fffd}.html"]["status"], "ok", "{recs:?}");
    assert_eq!(recs["loop.html"]["status"], "error");
    assert_eq!(recs["dangling.html"]["status"], "error");
    assert_eq!(recs.len(), 4, "{:?}", recs.keys().collect::<Vec<_>>());
}

#[cfg(unix)]
#[test]
fn a_file_without_read_permission_is_an_error_record() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("locked.html");
    fs::write(&p, GOOD).unwrap();
    fs::set_permissions(&p, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::read(&p).is_ok() {
        // Running as root (as CI does): permissions do not stop root's reads, so run
        // the binary as `nobody` instead.
        as_nobody_locked_file_is_an_error(d.path());
        return;
    }
    let (recs, _) = run(d.path(), &[]);
    assert_eq!(recs["locked.html"]["status"], "error");
}

/// The permission test for root: the same run as an unprivileged user (uid 65534),
/// over a folder it may list but whose `locked.html` it may not read.
#[cfg(unix)]
fn as_nobody_locked_file_is_an_error(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let open = |p: &Path| fs::set_permissions(p, fs::Permissions::from_mode(0o777)).unwrap();
    fs::write(dir.join("zz-good.html"), GOOD).unwrap();
    fs::set_permissions(dir.join("zz-good.html"), fs::Permissions::from_mode(0o644)).unwrap();
    open(dir);
    let out_dir = tempfile::tempdir().unwrap();
    open(out_dir.path());
    let out = out_dir.path().join("out.jsonl");
    let res = std::process::Command::new(env!("CARGO_BIN_EXE_boilerstrip"))
        .arg("run")
        .arg(dir)
        .arg("-o")
        .arg(&out)
        .arg("-q")
        .uid(65534)
        .gid(65534)
        .output();
    let res = match res {
        Ok(r) => r,
        // The binary's folder is closed to other users on this machine.
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            eprintln!("skipped: the test binary cannot be run as uid 65534 here");
            return;
        }
        Err(e) => panic!("spawn as uid 65534: {e}"),
    };
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert_eq!(res.status.code(), Some(0), "{stderr}");
    let rejects = fs::read_to_string(out_dir.path().join("out.rejects.jsonl")).unwrap();
    let locked: Value = rejects
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|v| v["source"] == "locked.html")
        .expect("locked.html has a reject");
    assert_eq!(locked["status"], "error");
    assert!(
        locked["error"]
            .as_str()
            .unwrap_or("")
            .to_lowercase()
            .contains("permission"),
        "{locked}"
    );
    let good = fs::read_to_string(&out).unwrap();
    assert!(
        good.contains("\"source\":\"zz-good.html\""),
        "the batch carried on: {good}"
    );
}

#[test]
fn a_folder_that_vanishes_mid_run_gives_error_records() {
    // The walk lists the pages, then the folder goes before they are read.
    let d = tempfile::tempdir().unwrap();
    let site = d.path().join("site");
    fs::create_dir(&site).unwrap();
    for i in 0..5 {
        fs::write(site.join(format!("{i}.html")), GOOD).unwrap();
    }
    fs::write(d.path().join("kept.html"), GOOD).unwrap();
    let walk = boilerstrip::source::walk(&[d.path().to_path_buf()]).unwrap();
    fs::remove_dir_all(&site).unwrap();
    let rules = boilerstrip::config::Rules::defaults();
    let mut statuses = BTreeMap::new();
    boilerstrip::batch::run(&rules, &walk.items, 2, true, |r| -> Result<(), ()> {
        statuses.insert(r.source.clone(), r.status.clone());
        Ok(())
    })
    .unwrap();
    assert_eq!(statuses.len(), 6);
    assert_eq!(statuses["kept.html"], "ok");
    assert_eq!(statuses["site/3.html"], "error");
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_exits_2_naming_the_file() {
    let d = tempfile::tempdir().unwrap();
    fs::write(d.path().join("a.html"), GOOD).unwrap();
    let res = bin()
        .arg("run")
        .arg(d.path())
        .args(["-o", "/dev/full", "-q"])
        .output()
        .unwrap();
    assert_eq!(res.status.code(), Some(2));
    let err = String::from_utf8_lossy(&res.stderr);
    assert!(err.contains("/dev/full") && err.contains("space"), "{err}");
    assert!(
        !fs::metadata("/dev/full").unwrap().is_file(),
        "the device is still a device"
    );
}
