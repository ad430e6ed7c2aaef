//! `boilerstrip eval` must give the same numbers as `shared/tools/score.py`.

use std::path::Path;

use boilerstrip::eval::{load_gold, score};
use boilerstrip::record::Record;
use serde_json::Value;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/eval")
        .join(name)
}

fn close(a: f64, b: &Value) {
    let b = b.as_f64().unwrap();
    assert!((a - b).abs() < 1e-12, "{a} != {b}");
}

#[test]
fn scorer_equals_score_py_on_the_fixture_set() {
    let gold = load_gold(&fixture("gold.jsonl")).unwrap();
    let records: Vec<Record> = std::fs::read_to_string(fixture("records.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let want: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("expected.json")).unwrap()).unwrap();
    let got = score(&gold, &records);
    assert_eq!(got.pages as u64, want["pages"].as_u64().unwrap());
    assert_eq!(got.missing as u64, want["missing"].as_u64().unwrap());
    let sh = got.shingle.unwrap();
    close(sh.f1, &want["shingle"]["f1"]);
    close(sh.precision, &want["shingle"]["precision"]);
    close(sh.recall, &want["shingle"]["recall"]);
    let (sn, acc) = got.snippet.unwrap();
    close(sn.f1, &want["snippet"]["f1"]);
    close(sn.precision, &want["snippet"]["precision"]);
    close(sn.recall, &want["snippet"]["recall"]);
    close(acc, &want["snippet"]["accuracy"]);
    for (name, (ok, n)) in &got.meta {
        let w = &want["meta"][*name];
        assert_eq!(*n as u64, w["pages"].as_u64().unwrap(), "{name}");
        close(*ok as f64 / *n as f64, &w["accuracy"]);
    }
    assert_eq!(got.meta.len(), want["meta"].as_object().unwrap().len());
}

/// When the real script is beside the repository (as in CI), compare it live on a run
/// of the pipeline over the fixtures, so the equality holds on real extractor output.
#[test]
fn scorer_equals_score_py_live_when_available() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tools/score.py");
    if !script.exists()
        || std::process::Command::new("python3")
            .arg("--version")
            .output()
            .is_err()
    {
        eprintln!("score.py or python3 not found; the fixture comparison above still ran");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let gold = dir.path().join("gold.jsonl");
    // Gold for the shipped HTML article, scored against the real pipeline's record.
    std::fs::write(
        &gold,
        format!(
            "{}\n",
            serde_json::json!({"id": "news-article", "file": "news-article.html",
                "gold_text": "Councillors in the harbour town voted on Monday evening to restore the eighteenth-century tidal mill. What happens next. Engineers will survey the mill pond walls.",
                "with": ["Phase two: a small museum"], "without": ["Most read"],
                "title": "Harbour town votes to restore its tidal mill", "author": "Maria Jensen", "publish_date": "2024-03-12"})
        ),
    )
    .unwrap();
    let out = dir.path().join("out.jsonl");
    let html_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/html");
    let ours = assert_cmd::Command::cargo_bin("boilerstrip")
        .unwrap()
        .args([
            "eval",
            gold.to_str().unwrap(),
            html_dir.to_str().unwrap(),
            "--worst",
            "0",
            "-o",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        ours.status.success(),
        "{}",
        String::from_utf8_lossy(&ours.stderr)
    );
    let theirs = std::process::Command::new("python3")
        .arg(&script)
        .arg(&gold)
        .arg(&out)
        .output()
        .unwrap();
    assert!(theirs.status.success());
    let ours = String::from_utf8(ours.stdout).unwrap();
    let theirs = String::from_utf8(theirs.stdout).unwrap();
    // Our summary starts with exactly score.py's lines.
    assert!(
        ours.starts_with(theirs.trim_end()),
        "ours:\n{ours}\ntheirs:\n{theirs}"
    );
}
