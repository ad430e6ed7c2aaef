//! WARC input end to end: the fixture WARC (built by fixtures/warc/make_warc.py from the
//! loose fixtures) against the loose files, the three layouts, folders, corrupt records.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn bin() -> Command {
    Command::cargo_bin("boilerstrip").unwrap()
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn warc_fixture() -> PathBuf {
    fixtures().join("warc/fixtures.warc.gz")
}

/// `run ARGS --no-learn -o out` → (ok records, rejects, stderr).
fn run(args: &[&Path]) -> (Vec<Value>, Vec<Value>, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.jsonl");
    let res = bin()
        .arg("run")
        .args(args)
        .args(["--no-learn", "-j", "2", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(res.status.success(), "{res:?}");
    (
        read_jsonl(&out),
        read_jsonl(&dir.path().join("out.rejects.jsonl")),
        String::from_utf8(res.stderr).unwrap(),
    )
}

fn read_jsonl(p: &Path) -> Vec<Value> {
    fs::read_to_string(p)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The record without the fields that name where it came from.
fn content(r: &Value) -> Value {
    let mut r = r.clone();
    for k in ["source", "id", "url", "crawled_at", "error"] {
        r.as_object_mut().unwrap().remove(k);
    }
    r
}

fn by_url<'a>(recs: &'a [Value], url: &str) -> &'a Value {
    recs.iter()
        .find(|r| r["url"] == url)
        .unwrap_or_else(|| panic!("no record for {url}"))
}

#[test]
fn warc_gives_the_records_of_the_loose_files_with_urls() {
    let loose: Vec<PathBuf> = [
        "html/news-article.html",
        "site-template/other-site.html",
        "edge/binary.html",
        "edge/empty.html",
        "edge/deep-nesting.html.gz",
        "edge/truncated.html.gz",
    ]
    .iter()
    .map(|p| fixtures().join(p))
    .collect();
    let refs: Vec<&Path> = loose.iter().map(PathBuf::as_path).collect();
    let (lok, lrej, _) = run(&refs);
    let (wok, wrej, err) = run(&[&warc_fixture()]);
    assert!(
        err.contains("3 WARC records skipped (http-status 1, not-html 2)"),
        "{err}"
    );
    let loose_rec = |name: &str| {
        lok.iter()
            .chain(&lrej)
            .find(|r| r["source"].as_str().unwrap().ends_with(name))
            .unwrap()
            .clone()
    };
    let all_warc: Vec<Value> = wok.iter().chain(&wrej).cloned().collect();
    for (file, url) in [
        (
            "news-article.html",
            "https://coastal-courier.example/news/2024/03/12/tidal-mill-vote",
        ),
        (
            "other-site.html",
            "https://marina-news.example/2024/05/second-pontoon",
        ),
        ("binary.html", "https://edge.example/binary.html"),
        ("empty.html", "https://edge.example/empty.html"),
        (
            "deep-nesting.html.gz",
            "https://edge.example/deep-nesting.html",
        ),
        ("truncated.html.gz", "https://edge.example/truncated.html"),
    ] {
        let w = by_url(&all_warc, url);
        assert_eq!(content(w), content(&loose_rec(file)), "{file}");
        let src = w["source"].as_str().unwrap();
        assert!(src.contains("fixtures.warc.gz#"), "{src}");
        assert_eq!(w["crawled_at"].as_str().unwrap().len(), 20, "{file}");
    }
    // The loose files have no crawl time; the field is there, null.
    assert!(lok[0].as_object().unwrap()["crawled_at"].is_null());
    // The page whose charset is only in the HTTP header is a page too, with its URL.
    let latin = by_url(&all_warc, "https://edge.example/latin1.html");
    assert_eq!(latin["status"], "ok");
    // Records in file order: offsets increase.
    let offsets: Vec<u64> = wok
        .iter()
        .map(|r| {
            let s = r["source"].as_str().unwrap();
            s.rsplit('#').next().unwrap().parse().unwrap()
        })
        .collect();
    assert!(offsets.windows(2).all(|w| w[0] < w[1]), "{offsets:?}");
}

fn gunzip(p: &Path) -> Vec<u8> {
    let mut raw = Vec::new();
    flate2::read::MultiGzDecoder::new(fs::File::open(p).unwrap())
        .read_to_end(&mut raw)
        .unwrap();
    raw
}

#[test]
fn plain_and_whole_file_gzip_layouts_give_the_same_records() {
    let dir = tempfile::tempdir().unwrap();
    let raw = gunzip(&warc_fixture());
    let plain = dir.path().join("a.warc");
    fs::write(&plain, &raw).unwrap();
    let whole = dir.path().join("b.warc.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&raw).unwrap();
    fs::write(&whole, enc.finish().unwrap()).unwrap();
    let strip = |v: Vec<Value>| -> Vec<Value> {
        v.iter()
            .map(|r| {
                let mut r = r.clone();
                let o = r.as_object_mut().unwrap();
                o.remove("source");
                o.remove("id");
                r
            })
            .collect()
    };
    let (a, ar, _) = run(&[&warc_fixture()]);
    let (b, br, _) = run(&[&plain]);
    let (c, cr, _) = run(&[&whole]);
    assert_eq!(strip(a.clone()), strip(b.clone()));
    assert_eq!(strip(a), strip(c.clone()));
    assert_eq!(strip(ar.clone()), strip(br));
    assert_eq!(strip(ar), strip(cr));
    // Inside one gzip member, records are MEMBER+INNER.
    assert!(c[1]["source"].as_str().unwrap().contains("b.warc.gz#0+"));
}

#[test]
fn folders_pick_up_warc_files_in_sorted_order() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("crawl")).unwrap();
    fs::copy(warc_fixture(), dir.path().join("crawl/b.warc.gz")).unwrap();
    fs::copy(warc_fixture(), dir.path().join("crawl/a.warc.gz")).unwrap();
    fs::copy(
        fixtures().join("html/news-article.html"),
        dir.path().join("crawl/c.html"),
    )
    .unwrap();
    let (ok, _, _) = run(&[dir.path()]);
    let sources: Vec<&str> = ok.iter().map(|r| r["source"].as_str().unwrap()).collect();
    // Each copy of the fixture WARC gives 4 ok records (its binary, empty and truncated
    // pages are rejects).
    assert_eq!(sources.len(), 9);
    assert!(sources[..4]
        .iter()
        .all(|s| s.starts_with("crawl/a.warc.gz#")));
    assert!(sources[4..8]
        .iter()
        .all(|s| s.starts_with("crawl/b.warc.gz#")));
    assert_eq!(sources[8], "crawl/c.html");
}

#[test]
fn a_corrupt_record_is_rejected_and_the_rest_of_the_file_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = fs::read(warc_fixture()).unwrap();
    // Damage the deflate data of the news article's member (the third member, at 488).
    for b in &mut bytes[700..720] {
        *b ^= 0xa5;
    }
    let p = dir.path().join("bad.warc.gz");
    fs::write(&p, &bytes).unwrap();
    let (ok, rej, _) = run(&[&p]);
    let bad = rej
        .iter()
        .find(|r| r["source"].as_str().unwrap().ends_with("#488"))
        .expect("the damaged record is rejected");
    assert_eq!(bad["status"], "error");
    // Everything after it still comes through: 3 ok pages, and the fixture's own
    // binary, empty and truncated pages as rejects next to the damaged one.
    assert_eq!(ok.len(), 3);
    assert_eq!(rej.len(), 4);
}

#[test]
fn a_missing_warc_file_is_fatal_and_an_unreadable_one_is_a_reject() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("garbage.warc.gz");
    fs::write(&p, b"\x1f\x8b\x08 this is not gzip").unwrap();
    let (ok, rej, _) = run(&[&p]);
    assert!(ok.is_empty());
    assert_eq!(rej.len(), 1);
    assert_eq!(rej[0]["status"], "error");
    bin()
        .args(["run", "/no/such/crawl.warc.gz"])
        .assert()
        .code(2);
}
