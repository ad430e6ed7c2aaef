//! Running at scale: shards, the streaming mode for engines, compressed output.

use std::collections::BTreeSet;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

fn bin() -> Command {
    Command::cargo_bin("boilerstrip").unwrap()
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// `n` small pages spread over `folders` folders.
fn corpus(dir: &Path, n: usize, folders: usize) {
    for i in 0..n {
        let f = dir.join(format!("site{}", i % folders));
        fs::create_dir_all(&f).unwrap();
        fs::write(
            f.join(format!("page{i:04}.html")),
            format!("<html><head><title>Page {i}</title></head><body><article><p>This is page number {i}, with a sentence or two of its own text so that it is kept.</p></article></body></html>"),
        )
        .unwrap();
    }
}

fn lines(p: &Path) -> Vec<String> {
    fs::read_to_string(p)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn shards_partition_a_full_run_exactly_and_reruns_skip_finished_shards() {
    let d = tempfile::tempdir().unwrap();
    let pages = d.path().join("pages");
    corpus(&pages, 240, 6);
    let full = d.path().join("full.jsonl");
    bin()
        .args(["run", "--no-learn", "-q", "-o"])
        .arg(&full)
        .arg(&pages)
        .assert()
        .success();
    let full = lines(&full);
    assert_eq!(full.len(), 240);
    let out = d.path().join("parts");
    let n = 4;
    let mut union = Vec::new();
    for k in 0..n {
        bin()
            .args([
                "run",
                "--no-learn",
                "-q",
                "--shard",
                &format!("{k}/{n}"),
                "-o",
            ])
            .arg(&out)
            .arg(&pages)
            .assert()
            .success();
        let part = lines(&out.join(format!("part-{k}-of-{n}.jsonl")));
        // Balanced: 60 expected per shard.
        assert!((35..=85).contains(&part.len()), "shard {k}: {}", part.len());
        union.extend(part);
    }
    assert_eq!(union.len(), full.len(), "no page in two shards");
    let a: BTreeSet<_> = union.into_iter().collect();
    let b: BTreeSet<_> = full.into_iter().collect();
    assert_eq!(a, b, "the shards' records are the full run's");
    // A rerun leaves a finished shard alone.
    let part0 = out.join(format!("part-0-of-{n}.jsonl"));
    fs::write(&part0, "sentinel\n").unwrap();
    let res = bin()
        .args(["run", "--no-learn", "--shard", "0/4", "-o"])
        .arg(&out)
        .arg(&pages)
        .output()
        .unwrap();
    assert!(res.status.success());
    assert!(String::from_utf8_lossy(&res.stderr).contains("already done"));
    assert_eq!(fs::read_to_string(&part0).unwrap(), "sentinel\n");
    // K from the scheduler's environment.
    let k8s = d.path().join("k8s");
    bin()
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env("JOB_COMPLETION_INDEX", "2")
        .args(["run", "--no-learn", "-q", "--shard", "auto/4", "-o"])
        .arg(&k8s)
        .arg(&pages)
        .assert()
        .success();
    assert_eq!(
        fs::read(k8s.join("part-2-of-4.jsonl")).unwrap(),
        fs::read(out.join("part-2-of-4.jsonl")).unwrap()
    );
    bin()
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("JOB_COMPLETION_INDEX")
        .args(["run", "--shard", "auto/4"])
        .arg(&pages)
        .assert()
        .code(2);
    bin()
        .args(["run", "--shard", "4/4"])
        .arg(&pages)
        .assert()
        .code(2);
}

#[test]
fn folder_shards_keep_template_learning_equal_to_a_full_run() {
    let d = tempfile::tempdir().unwrap();
    for site in ["a", "b", "c"] {
        let f = d.path().join(site);
        fs::create_dir_all(&f).unwrap();
        for e in fs::read_dir(fixtures().join("site-template")).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "txt") {
                fs::copy(&p, f.join(p.file_name().unwrap())).unwrap();
            }
        }
    }
    let root_full = d.path().join("root-full.jsonl");
    bin()
        .args(["run", "-q", "-o"])
        .arg(&root_full)
        .arg(d.path())
        .assert()
        .success();
    let mut union = BTreeSet::new();
    let parts = tempfile::tempdir().unwrap();
    for k in 0..3 {
        bin()
            .args([
                "run",
                "-q",
                "--shard-by",
                "folder",
                "--shard",
                &format!("{k}/3"),
                "-o",
            ])
            .arg(parts.path())
            .arg(d.path())
            .assert()
            .success();
        union.extend(lines(&parts.path().join(format!("part-{k}-of-3.jsonl"))));
    }
    let want: BTreeSet<String> = lines(&root_full).into_iter().collect();
    assert_eq!(want.len(), 18);
    assert_eq!(union, want);
}

#[test]
fn stream_mode_writes_every_input_and_error_as_a_line() {
    let d = tempfile::tempdir().unwrap();
    corpus(d.path(), 3, 1);
    let warc = fixtures().join("warc/fixtures.warc.gz");
    let input = format!(
        "{}\n/no/such/page.html\n{}\n\n{}#488\n",
        d.path().join("site0/page0000.html").display(),
        warc.display(),
        warc.display(),
    );
    let out = bin()
        .args(["run", "-", "-q", "-j", "2"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert!(out.status.success());
    let recs: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // 1 page + 1 error + 7 WARC page records + the one record addressed again.
    assert_eq!(recs.len(), 10, "{recs:?}");
    assert_eq!(recs[0]["status"], "ok");
    assert_eq!(recs[1]["status"], "error");
    assert_eq!(recs[1]["source"], "/no/such/page.html");
    let first_warc = &recs[2];
    assert!(first_warc["source"].as_str().unwrap().ends_with("#488"));
    // A record's source reads that record again.
    assert_eq!(recs[9], *first_warc);
    assert!(
        recs.iter().any(|r| r["status"] == "empty"),
        "rejects included"
    );
}

#[test]
fn stream_mode_answers_before_stdin_ends() {
    let d = tempfile::tempdir().unwrap();
    corpus(d.path(), 2, 1);
    let exe = assert_cmd::cargo::cargo_bin("boilerstrip");
    let mut child = std::process::Command::new(exe)
        .args(["run", "-", "-q"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for l in BufReader::new(stdout).lines() {
            if tx.send(l.unwrap()).is_err() {
                break;
            }
        }
    });
    writeln!(stdin, "{}", d.path().join("site0/page0000.html").display()).unwrap();
    stdin.flush().unwrap();
    let first = rx.recv_timeout(Duration::from_secs(60));
    assert!(first.is_ok(), "no line while stdin is still open");
    writeln!(stdin, "{}", d.path().join("site0/page0001.html").display()).unwrap();
    drop(stdin);
    let second = rx.recv_timeout(Duration::from_secs(60)).unwrap();
    assert!(second.contains("page0001"));
    assert!(child.wait().unwrap().success());
}

#[test]
fn compressed_output_matches_plain_output() {
    let d = tempfile::tempdir().unwrap();
    let pages = d.path().join("pages");
    corpus(&pages, 20, 2);
    let run = |name: &str| {
        let p = d.path().join(name);
        bin()
            .args(["run", "-q", "-o"])
            .arg(&p)
            .arg(&pages)
            .assert()
            .success();
        fs::read(&p).unwrap()
    };
    let plain = run("out.jsonl");
    let mut gz = Vec::new();
    flate2::read::MultiGzDecoder::new(&run("out.jsonl.gz")[..])
        .read_to_end(&mut gz)
        .unwrap();
    let zst = zstd::stream::decode_all(&run("out.jsonl.zst")[..]).unwrap();
    assert_eq!(gz, plain);
    assert_eq!(zst, plain);
    // No temporary files left behind.
    let names: Vec<String> = fs::read_dir(d.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".tmp-")), "{names:?}");
}
