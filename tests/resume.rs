//! Interrupts and `--resume`: real runs of the binary killed mid-way (SIGTERM, SIGINT
//! and SIGKILL), resumed until done; the final output must hold each input exactly once.
//! The pages are copies of `fixtures/html/news-article.html` made at run time.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("boilerstrip")
}

/// `folders` folders of `per` copies of the news fixture, plus a few pages that are
/// rejected (empty), so both output files are resumed.
fn corpus(root: &Path, folders: usize, per: usize) -> usize {
    let page =
        fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/html/news-article.html"))
            .unwrap();
    let mut n = 0;
    for f in 0..folders {
        let d = root.join(format!("site{f:02}"));
        fs::create_dir_all(&d).unwrap();
        for i in 0..per {
            fs::write(d.join(format!("p{i:03}.html")), &page).unwrap();
            n += 1;
        }
        fs::write(d.join("blank.html"), "").unwrap();
        n += 1;
    }
    n
}

/// Sources in a JSONL file, counted.
fn sources(p: &Path, into: &mut BTreeMap<String, usize>) {
    for line in fs::read_to_string(p).unwrap_or_default().lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("complete JSON lines");
        *into
            .entry(v["source"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
}

/// Whether the run's temporary OUT file has data yet (the run is under way).
fn started(out: &Path) -> bool {
    let name = format!(".{}.tmp-", out.file_name().unwrap().to_string_lossy());
    fs::read_dir(out.parent().unwrap())
        .unwrap()
        .flatten()
        .any(|e| {
            e.file_name().to_string_lossy().starts_with(&name)
                && e.metadata().is_ok_and(|m| m.len() > 0)
        })
}

fn spawn(input: &Path, out: &Path, extra: &[&str]) -> Child {
    Command::new(bin())
        .arg("run")
        .arg(input)
        .arg("-o")
        .arg(out)
        .args(["-j", "2", "--resume"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Kill runs mid-way with each signal in turn, then let one finish; return the exit
/// codes of the killed runs and the stderr of the graceful ones.
fn kill_and_resume(input: &Path, out: &Path, extra: &[&str]) -> (Vec<Option<i32>>, String) {
    let mut codes = Vec::new();
    let mut stderr = String::new();
    for sig in ["TERM", "KILL", "INT", "KILL", "TERM"] {
        let mut child = spawn(input, out, extra);
        // Wait until records are being written, or the run is over.
        while !started(out) && child.try_wait().unwrap().is_none() {
            std::thread::sleep(Duration::from_millis(2));
        }
        let _ = Command::new("kill")
            .args(["-s", sig, &child.id().to_string()])
            .status();
        let res = child.wait_with_output().unwrap();
        codes.push(res.status.code());
        if sig != "KILL" {
            stderr.push_str(&String::from_utf8_lossy(&res.stderr));
        }
    }
    let last = spawn(input, out, extra).wait_with_output().unwrap();
    assert_eq!(
        last.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&last.stderr)
    );
    (codes, stderr)
}

fn check_exactly_once(dir: &Path, out: &Path, inputs: usize) {
    let mut seen = BTreeMap::new();
    sources(out, &mut seen);
    sources(&dir.join("out.rejects.jsonl"), &mut seen);
    let twice: Vec<_> = seen.iter().filter(|(_, &n)| n != 1).collect();
    assert!(twice.is_empty(), "written more than once: {twice:?}");
    assert_eq!(seen.len(), inputs, "every input accounted for");
    let left: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}

#[test]
fn killed_streaming_runs_resume_to_each_input_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("crawl");
    let n = corpus(&input, 6, 100);
    let out_dir = dir.path().join("out");
    fs::create_dir(&out_dir).unwrap();
    let out = out_dir.join("out.jsonl");
    let (codes, stderr) = kill_and_resume(&input, &out, &["--no-learn"]);
    // The first run is killed mid-way whatever the machine's speed: it had begun writing.
    assert_eq!(codes[0], Some(130), "SIGTERM: exit 130, {codes:?}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert_eq!(codes[1], None, "SIGKILL ends the process: {codes:?}");
    check_exactly_once(&out_dir, &out, n);
}

#[test]
fn killed_learning_runs_resume_to_each_input_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("crawl");
    let n = corpus(&input, 20, 25);
    let cfg = dir.path().join("small-groups.toml");
    // Small learning groups, so each run gets some groups done before it is killed.
    fs::write(&cfg, "[template]\nmax_group_pages = 26\n").unwrap();
    let out_dir = dir.path().join("out");
    fs::create_dir(&out_dir).unwrap();
    let out = out_dir.join("out.jsonl");
    let (codes, _) = kill_and_resume(&input, &out, &["--config", cfg.to_str().unwrap()]);
    assert_eq!(codes[0], Some(130), "{codes:?}");
    check_exactly_once(&out_dir, &out, n);
}

#[test]
fn an_interrupted_run_leaves_complete_lines_under_the_final_name() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("crawl");
    corpus(&input, 4, 100);
    let out = dir.path().join("out.jsonl");
    let mut child = Command::new(bin())
        .arg("run")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .args(["-j", "1", "--no-learn"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    while !started(&out) && child.try_wait().unwrap().is_none() {
        std::thread::sleep(Duration::from_millis(2));
    }
    let _ = Command::new("kill")
        .args(["-s", "INT", &child.id().to_string()])
        .status();
    let res = child.wait_with_output().unwrap();
    assert_eq!(res.status.code(), Some(130));
    let err = String::from_utf8_lossy(&res.stderr);
    assert!(err.starts_with("interrupted"), "{err}");
    let mut seen = BTreeMap::new();
    sources(&out, &mut seen);
    assert!(!seen.is_empty() && seen.len() < 404, "{}", seen.len());
}

#[test]
fn an_interrupt_ends_the_streaming_mode_while_stdin_is_silent() {
    use std::io::{BufRead, BufReader, Write};
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("crawl");
    corpus(&input, 1, 2);
    let page = input.join("site00/p000.html");
    let mut child = Command::new(bin())
        .args(["run", "-", "-j", "1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // One path, then stdin stays open and silent, as an engine's pipe would.
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{}", page.display()).unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert!(line.contains("\"status\":\"ok\""), "{line}");
    let _ = Command::new("kill")
        .args(["-s", "TERM", &child.id().to_string()])
        .status();
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "still waiting on stdin"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(status.code(), Some(130));
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(err.starts_with("interrupted: 1 pages"), "{err}");
    drop(stdin);
}

#[test]
fn resume_needs_an_output_file() {
    let out = Command::new(bin())
        .args(["run", "fixtures/edge", "--resume"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--resume needs -o"));
}
