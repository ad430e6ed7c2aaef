//! End-to-end tests of the `boilerstrip` binary on the shipped fixtures.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn bin() -> Command {
    Command::cargo_bin("boilerstrip").unwrap()
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Run `boilerstrip run ARGS` and return (ok records, rejects) parsed from the output files.
fn run_to_files(args: &[&str]) -> (Vec<Value>, Vec<Value>) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.jsonl");
    bin()
        .arg("run")
        .args(args)
        .arg("-o")
        .arg(&out)
        .arg("-q")
        .assert()
        .success();
    let rejects = dir.path().join("out.rejects.jsonl");
    (read_jsonl(&out), read_jsonl(&rejects))
}

fn read_jsonl(p: &Path) -> Vec<Value> {
    fs::read_to_string(p)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn record<'a>(recs: &'a [Value], source_suffix: &str) -> &'a Value {
    recs.iter()
        .find(|r| r["source"].as_str().unwrap().ends_with(source_suffix))
        .unwrap_or_else(|| panic!("no record for {source_suffix}"))
}

/// The names of the rules that removed a block from record `r`, in order.
fn removed_rules(r: &Value) -> Vec<&str> {
    r["removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["rule"].as_str().unwrap())
        .collect()
}

/// Fail naming the first of `chrome` that is still in `text`.
fn assert_absent(text: &str, chrome: &[&str]) {
    for c in chrome {
        assert!(!text.contains(c), "{c} left in text");
    }
}

#[test]
fn seed_000_title_standfirst_and_widget() {
    let (ok, _) = run_to_files(&[fixtures().join("seeds").to_str().unwrap()]);
    let r = record(&ok, "000_7168fac909374ef1.txt");
    assert_eq!(r["status"], "ok");
    assert_eq!(r["format"], "text");
    assert_eq!(
        r["title"],
        "White House reveals North Korea’s missile transfer to Russia"
    );
    assert_eq!(
        r["description"],
        "The White House declassifies information regarding North Korea’s involvement in Russia’s conflict with Ukraine."
    );
    let text = r["text"].as_str().unwrap();
    assert!(
        text.starts_with("The White House announced that North Korea"),
        "{text}"
    );
    assert!(text.ends_with("imposition of sanctions."), "{text}");
    assert_absent(
        text,
        &[
            "Share this news",
            "votes",
            "Article Rating",
            "Notify of",
            "View all comments",
        ],
    );
    let rules = removed_rules(r);
    assert!(!rules.is_empty());
}

#[test]
fn seed_001_date_header_and_disclaimer() {
    let (ok, _) = run_to_files(&[fixtures().join("seeds").to_str().unwrap()]);
    let r = record(&ok, "001_5a44c996ef60cde8.txt");
    assert_eq!(r["date"], "2024-01-04");
    let text = r["text"].as_str().unwrap();
    assert!(
        text.starts_with("White House claimed on Thursday"),
        "{text}"
    );
    assert!(!text.contains("date 2024-01-04"));
    assert!(!text.contains("Disclaimer"));
    assert!(text.ends_with("across Ukraine since Friday."), "{text}");
}

#[test]
fn html_article_keeps_the_story_and_drops_the_chrome() {
    let (ok, _) = run_to_files(&[fixtures().join("html/news-article.html").to_str().unwrap()]);
    let r = &ok[0];
    assert_eq!(r["status"], "ok");
    assert_eq!(r["format"], "html");
    assert_eq!(r["encoding"], "UTF-8");
    let text = r["text"].as_str().unwrap();
    assert!(
        text.starts_with("Councillors in the harbour town voted"),
        "{text}"
    );
    assert!(text.contains("\n\nWhat happens next\n\n"));
    assert!(text.contains("Phase two: a small museum and a working flour mill"));
    assert!(text.ends_with("narrow streets around the quay."), "{text}");
    assert_absent(
        text,
        &[
            "cookies",
            "Sport",
            "Home ›",
            "Share on",
            "Related stories",
            "newsletter",
            "About time!",
            "Most read",
            "All rights reserved",
        ],
    );
    let removed = removed_rules(r);
    for rule in [
        "html-cookie",
        "html-share",
        "html-related",
        "html-comments",
        "html-newsletter",
    ] {
        assert!(removed.contains(&rule), "{rule} not in {removed:?}");
    }
    assert!(r["word_count"].as_u64().unwrap() > 150);
}

#[test]
fn html_article_metadata() {
    let (ok, _) = run_to_files(&[fixtures().join("html/news-article.html").to_str().unwrap()]);
    let r = &ok[0];
    assert_eq!(r["title"], "Harbour town votes to restore its tidal mill");
    assert_eq!(r["date"], "2024-03-12");
    assert_eq!(r["datetime"], "2024-03-12T08:30:00+00:00");
    assert_eq!(r["author"], "Maria Jensen");
    assert_eq!(r["site_name"], "The Coastal Courier");
    assert_eq!(
        r["url"],
        "https://coastal-courier.example/news/2024/03/12/tidal-mill-vote"
    );
    assert_eq!(r["language"], "en");
}

#[test]
fn charsets_decode_to_the_right_text() {
    let (ok, rejects) = run_to_files(&[fixtures().join("charsets").to_str().unwrap()]);
    assert!(rejects.is_empty(), "{rejects:?}");
    let enc = |name: &str| record(&ok, name)["encoding"].as_str().unwrap().to_string();
    assert_eq!(enc("windows-1252.html"), "windows-1252");
    assert_eq!(enc("shift_jis.html"), "Shift_JIS");
    assert_eq!(enc("utf16-bom.html"), "UTF-16LE");
    assert_eq!(enc("no-charset.html"), "windows-1252");
    for name in [
        "windows-1252.html",
        "shift_jis.html",
        "utf16-bom.html",
        "no-charset.html",
    ] {
        let r = record(&ok, name);
        assert_eq!(r["replaced_chars"], 0, "{name}");
        assert!(!r["text"].as_str().unwrap().contains('\u{FFFD}'), "{name}");
    }
    assert!(record(&ok, "windows-1252.html")["text"]
        .as_str()
        .unwrap()
        .contains('€'));
}

#[test]
fn edge_cases_each_get_a_record_or_reject() {
    let (ok, rejects) = run_to_files(&[fixtures().join("edge").to_str().unwrap()]);
    let status = |name: &str| {
        ok.iter()
            .chain(&rejects)
            .find(|r| r["source"].as_str().unwrap().ends_with(name))
            .map(|r| r["status"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("{name} unaccounted for"))
    };
    assert_eq!(status("empty.html"), "empty");
    assert_eq!(status("binary.html"), "binary");
    assert_eq!(status("truncated.html.gz"), "error");
    assert_eq!(status("deep-nesting.html.gz"), "ok");
    let deep = record(&ok, "deep-nesting.html.gz");
    assert!(deep["text"]
        .as_str()
        .unwrap()
        .starts_with("A paragraph buried under twenty thousand"));
    let trunc = record(&rejects, "truncated.html.gz");
    assert!(trunc["error"].as_str().unwrap().contains("truncated"));
}

#[test]
fn every_fixture_is_accounted_for_and_sources_are_relative() {
    let (ok, rejects) = run_to_files(&[fixtures().to_str().unwrap()]);
    let pages = walk_pages(&fixtures());
    assert_eq!(
        ok.len() + rejects.len(),
        pages,
        "one record or reject per page"
    );
    for r in ok.iter().chain(&rejects) {
        let s = r["source"].as_str().unwrap();
        assert!(
            !s.starts_with('/'),
            "{s} should be relative to the input root"
        );
        assert_eq!(r["id"].as_str().unwrap().len(), 16);
    }
    // Sorted input order (a WARC file's records, FILE#OFFSET, come in file order).
    let sources: Vec<&str> = ok
        .iter()
        .map(|r| r["source"].as_str().unwrap().split('#').next().unwrap())
        .collect();
    let mut sorted = sources.clone();
    sorted.sort();
    assert_eq!(sources, sorted);
}

fn walk_pages(dir: &Path) -> usize {
    let mut n = 0;
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            n += walk_pages(&p);
        } else if boilerstrip::source::classify_name(&p.file_name().unwrap().to_string_lossy())
            .is_some()
        {
            n += 1;
        } else if boilerstrip::source::is_warc_name(&p.file_name().unwrap().to_string_lossy()) {
            // A WARC file gives one record or reject per page record; skipped ones give none.
            let name = p.to_string_lossy();
            n += boilerstrip::warc::Reader::open(&p, &name, 1 << 26)
                .unwrap()
                .filter(|e| !matches!(e, boilerstrip::warc::Entry::Skip(_)))
                .count();
        }
    }
    n
}

#[test]
fn output_is_identical_for_any_worker_count() {
    let run = |j: &str| {
        bin()
            .args(["run", fixtures().to_str().unwrap(), "-q", "-j", j])
            .output()
            .unwrap()
            .stdout
    };
    let one = run("1");
    assert!(!one.is_empty());
    assert_eq!(one, run("2"));
    assert_eq!(one, run("8"));
}

#[test]
fn stdin_paths_are_read_with_dash() {
    let seeds = fixtures().join("seeds");
    let list = format!(
        "{}\n{}\n",
        seeds.join("000_7168fac909374ef1.txt").display(),
        seeds.join("001_5a44c996ef60cde8.txt").display()
    );
    let out = bin()
        .args(["run", "-", "-q"])
        .write_stdin(list)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 2);
}

#[test]
fn strict_exits_1_on_rejects_and_summary_counts_them() {
    let out = bin()
        .args(["run", fixtures().join("edge").to_str().unwrap(), "--strict"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("4 pages: 1 ok, 3 rejected"), "{err}");
    assert!(err.contains("binary 1"), "{err}");
}

#[test]
fn bad_config_exits_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("bad.toml");
    fs::write(&cfg, "[[text.rules]]\nname = \"broken\"\npattern = \"(\"\n").unwrap();
    let out = dir.path().join("out.jsonl");
    let res = bin()
        .args([
            "run",
            fixtures().join("seeds").to_str().unwrap(),
            "--config",
        ])
        .arg(&cfg)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(res.status.code(), Some(2));
    let err = String::from_utf8(res.stderr).unwrap();
    assert!(
        err.contains("bad.toml:1") && err.contains("broken") && err.contains("regex"),
        "{err}"
    );
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        1,
        "only the config file remains"
    );
}

#[test]
fn missing_input_root_exits_2_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.jsonl");
    let res = bin()
        .args(["run", "/no/such/folder", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(res.status.code(), Some(2));
    assert!(String::from_utf8(res.stderr)
        .unwrap()
        .contains("/no/such/folder"));
    assert!(!out.exists());
}

#[test]
fn config_check_reports_lines_and_default_prints_the_shipped_file() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    fs::write(
        &cfg,
        "[[html.rules]]\nname = \"x\"\nselector = \"div[\"\n\n[[text.rules]]\nname = \"y\"\nphrases = [\"a\"]\nscope = \"sideways\"\n",
    )
    .unwrap();
    let res = bin().args(["config", "check"]).arg(&cfg).output().unwrap();
    assert_eq!(res.status.code(), Some(2));
    let err = String::from_utf8(res.stderr).unwrap();
    assert!(err.contains("c.toml:1: rule `x`"), "{err}");
    assert!(err.contains("c.toml:5: rule `y`"), "{err}");

    let shipped =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("config.toml")).unwrap();
    let out = bin().args(["config", "default"]).output().unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), shipped);
    let ok = bin()
        .args(["config", "check"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("config.toml"))
        .output()
        .unwrap();
    assert!(ok.status.success());
}

#[test]
fn user_config_can_disable_a_rule() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    fs::write(&cfg, "disable = [\"html-share\"]\n").unwrap();
    let out = bin()
        .args([
            "run",
            fixtures().join("html/news-article.html").to_str().unwrap(),
            "-q",
            "--config",
        ])
        .arg(&cfg)
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let removed = removed_rules(&r);
    assert!(!removed.contains(&"html-share"), "{removed:?}");
}

#[test]
fn explain_names_the_rules() {
    let out = bin()
        .args([
            "explain",
            fixtures().join("html/news-article.html").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(
        s.contains("REMOVE") && s.contains("[html-related] Related stories"),
        "{s}"
    );
    assert!(s.contains("KEEP"));
    assert!(s.contains("\"status\": \"ok\""));
}

#[test]
fn closed_pipe_ends_quietly() {
    use std::io::Read;
    use std::process::{Command as StdCommand, Stdio};
    // Enough pages that the output exceeds the pipe buffer.
    let dir = tempfile::tempdir().unwrap();
    let page = fs::read(fixtures().join("html/news-article.html")).unwrap();
    for i in 0..400 {
        fs::write(dir.path().join(format!("p{i:04}.html")), &page).unwrap();
    }
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("boilerstrip"))
        .args(["run", dir.path().to_str().unwrap(), "-q", "-j", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 100];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn site_template_run(args: &[&str]) -> Vec<u8> {
    let out = bin().arg("run").args(args).arg("-q").output().unwrap();
    assert!(out.status.success());
    out.stdout
}

#[test]
fn site_template_is_learned_across_the_batch() {
    let dir = fixtures().join("site-template");
    let stdout = site_template_run(&[dir.to_str().unwrap(), "-j", "1"]);
    let recs: Vec<Value> = String::from_utf8(stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(recs.len(), 7);
    for r in &recs {
        let src = r["source"].as_str().unwrap();
        let text = r["text"].as_str().unwrap();
        let removed = removed_rules(r);
        if src.starts_with("harbour-times") {
            assert!(removed.contains(&"site-template"), "{src}: {removed:?}");
            for shared in [
                "Related stories",
                "Museum appeal",
                "independent community paper",
                "volunteer editors",
                "home delivery",
            ] {
                assert!(!text.contains(shared), "{src}: {shared} left");
            }
            assert!(text.len() > 200, "{src}: the story must stay: {text}");
        } else {
            assert!(!removed.contains(&"site-template"), "{src}: {removed:?}");
            assert!(
                text.contains("For home delivery call"),
                "{src}: other site untouched"
            );
            assert!(
                text.contains("volunteer editors"),
                "{src}: other site untouched"
            );
        }
    }
    // The same bytes with two workers, and with the files named in reverse order.
    assert_eq!(
        stdout,
        site_template_run(&[dir.to_str().unwrap(), "-j", "2"])
    );
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            boilerstrip::source::classify_name(&p.file_name().unwrap().to_string_lossy()).is_some()
        })
        .collect();
    files.sort();
    files.reverse();
    let args: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    let mut argv: Vec<&str> = args.iter().map(String::as_str).collect();
    argv.extend(["-j", "2"]);
    let reversed = site_template_run(&argv);
    let sources = |b: &[u8]| -> Vec<String> {
        String::from_utf8(b.to_vec())
            .unwrap()
            .lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["text"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    // Named files keep their path as `source`, so compare the texts, in order.
    assert_eq!(sources(&stdout), sources(&reversed));
}

#[test]
fn no_learn_keeps_the_shared_blocks() {
    let dir = fixtures().join("site-template");
    let out = site_template_run(&[dir.to_str().unwrap(), "--no-learn"]);
    assert!(!String::from_utf8(out).unwrap().contains("site-template"));
}

#[test]
fn explain_learn_from_shows_the_site_template_removals_of_run() {
    let dir = fixtures().join("site-template");
    let page = dir.join("harbour-times-3.txt");
    let explain = |extra: &[&str]| -> Value {
        let out = bin()
            .arg("explain")
            .arg(&page)
            .arg("--json")
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let learned = explain(&["--learn-from", dir.to_str().unwrap()]);
    let by_template: Vec<&Value> = learned["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["removed_by"] == "site-template")
        .collect();
    assert!(!by_template.is_empty(), "{learned}");
    // The record is the one `run DIR` writes for this page.
    let run: Vec<Value> = String::from_utf8(site_template_run(&[dir.to_str().unwrap()]))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let same = run
        .iter()
        .find(|r| r["source"] == "harbour-times-3.txt")
        .unwrap();
    assert_eq!(&learned["record"], same);
    // On its own the page cannot learn its site's template.
    let alone = explain(&[]);
    let rules: Vec<&Value> = alone["record"]["removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["rule"])
        .collect();
    assert!(!rules.contains(&&Value::from("site-template")), "{alone}");
    assert_ne!(alone["record"]["text"], learned["record"]["text"]);
}

#[test]
fn explain_learn_from_a_folder_without_the_page_is_an_error_naming_it() {
    let out = bin()
        .arg("explain")
        .arg(fixtures().join("site-template/harbour-times-3.txt"))
        .arg("--learn-from")
        .arg(fixtures().join("seeds"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("harbour-times-3.txt") && err.contains("not a page under"),
        "{err}"
    );
}

/// The record text of the one page `args` names.
fn one_text(args: &[&str]) -> String {
    let (ok, _) = run_to_files(args);
    assert_eq!(ok.len(), 1, "{ok:?}");
    ok[0]["text"].as_str().unwrap().to_string()
}

fn fixture(rel: &str) -> String {
    fixtures().join(rel).to_str().unwrap().to_string()
}

#[test]
fn markdown_keeps_headings_nested_lists_quote_table_and_code() {
    let page = fixture("markdown/coffee-guide.html");
    let md = one_text(&[&page, "--format", "markdown"]);
    let want = fs::read_to_string(fixtures().join("markdown/coffee-guide.md")).unwrap();
    assert_eq!(md, want.trim_end_matches('\n'));
    // The same page in plain mode: the same words, no markup.
    let plain = one_text(&[&page]);
    assert!(plain.contains("Paper filters\n\nRinse them with hot water first"));
    assert!(
        !plain.contains("## ") && !plain.contains("| ---"),
        "{plain}"
    );
}

#[test]
fn markdown_from_a_text_page_only_marks_bullet_and_numbered_lines() {
    let page = fixture("markdown/recipe-notes.txt");
    let md = one_text(&[&page, "--format", "markdown"]);
    let want = fs::read_to_string(fixtures().join("markdown/recipe-notes.md")).unwrap();
    assert_eq!(md, want.trim_end_matches('\n'));
    let plain = one_text(&[&page]);
    assert!(
        plain.contains("• 1 litre of vegetable stock\n\n1. Soften"),
        "{plain}"
    );
}

#[test]
fn format_and_keep_links_come_from_the_config_and_the_flag_wins() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("md.toml");
    fs::write(&cfg, "[output]\nformat = \"markdown\"\nkeep_links = true\n").unwrap();
    let cfg = cfg.to_str().unwrap();
    let page = fixture("markdown/coffee-guide.html");
    let md = one_text(&[&page, "--config", cfg]);
    assert!(
        md.contains("walks through the [gear](https://example.com/gear), the ratios"),
        "{md}"
    );
    assert!(md.contains("\n## What you need\n"), "{md}");
    let plain = one_text(&[&page, "--config", cfg, "--format", "plain"]);
    assert_eq!(plain, one_text(&[&page]));
    // Without keep_links, a link is its text alone.
    let md = one_text(&[&page, "--format", "markdown"]);
    assert!(md.contains("walks through the gear, the ratios"), "{md}");
}

#[test]
fn site_rules_apply_to_their_host_only() {
    let cfg = fixture("sites/sites.toml");
    let (ok, _) = run_to_files(&[&fixture("sites"), "--config", &cfg]);
    let removed = |r: &Value, rule: &str| removed_rules(r).contains(&rule);
    let lark = record(&ok, "larkspur.example/bridge-vote.html");
    let fen = record(&ok, "fenwick.example/allotment-show.html");
    let (lt, ft) = (
        lark["text"].as_str().unwrap(),
        fen["text"].as_str().unwrap(),
    );
    // The site's own HTML and text rules remove the promo box and the tagline there...
    assert!(removed(lark, "larkspur-promo") && removed(lark, "larkspur-tagline"));
    assert!(!lt.contains("Gazette supporter") && !lt.contains("your paper since 1921"));
    // ...and its `disable` keeps the share box `html-share` removes elsewhere.
    assert!(lt.contains("Send this story to a neighbour"), "{lt}");
    // The other host gets the top-level rules alone.
    assert!(ft.contains("seed swap opens") && ft.contains("your paper since 1921"));
    assert!(removed(fen, "html-share") && !ft.contains("Send this story"));
    assert!(!removed(fen, "larkspur-promo"));
}

#[test]
fn explain_names_the_site_table_that_applied() {
    let cfg = fixture("sites/sites.toml");
    let out = bin()
        .args([
            "explain",
            &fixture("sites/larkspur.example/bridge-vote.html"),
        ])
        .args(["--config", &cfg])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(
        text.contains("site rules: [[sites]] larkspur.example, *.larkspur.example"),
        "{text}"
    );
    let out = bin()
        .args([
            "explain",
            &fixture("sites/fenwick.example/allotment-show.html"),
        ])
        .args(["--config", &cfg, "--json"])
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["site"], Value::Null);
}

#[test]
fn a_bad_site_rule_is_a_config_error_naming_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("bad.toml");
    fs::write(
        &cfg,
        "[[sites]]\nhosts = [\"larkspur.example\"]\n\n[[sites.html.rules]]\nname = \"broken\"\nselector = \"div[\"\n",
    )
    .unwrap();
    let out = bin()
        .args(["run", &fixture("sites"), "--config", cfg.to_str().unwrap()])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("broken") && err.contains("bad.toml"), "{err}");
    let out = bin()
        .args(["config", "check", cfg.to_str().unwrap()])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("bad.toml:4: rule `broken`"), "{err}");
}

#[test]
fn text_page_keeps_the_product_description_not_the_review_list() {
    let page = fixture("text/product-with-reviews.txt");
    let (ok, _) = run_to_files(&[&page]);
    let r = &ok[0];
    let text = r["text"].as_str().unwrap();
    assert!(text.starts_with("The Ridgeline 30 carries"), "{text}");
    assert!(
        text.ends_with("stows in its own pocket under the base."),
        "{text}"
    );
    assert_absent(
        text,
        &[
            "Verified Buyer",
            "Helpful?",
            "twenty-kilometre",
            "lid pocket is a little small",
        ],
    );
    assert!(removed_rules(r).contains(&"text-review-meta"));

    // Without the rule the longer review list wins a place in the content.
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    fs::write(&cfg, "disable = [\"text-review-meta\"]\n").unwrap();
    let (ok, _) = run_to_files(&[&page, "--config", cfg.to_str().unwrap()]);
    assert!(ok[0]["text"].as_str().unwrap().contains("Verified Buyer"));
}

#[test]
fn dash_output_means_stdout_not_a_file_named_dash() {
    let dir = tempfile::tempdir().unwrap();
    let page = fixture("html/news-article.html");
    let out = bin()
        .current_dir(dir.path())
        .args(["run", &page, "-o", "-", "-q"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["status"], "ok");
    assert!(!dir.path().join("-").exists());
    assert!(!dir.path().join("-.rejects.jsonl").exists());
}

#[test]
fn an_empty_app_shell_keeps_a_long_description_and_says_so() {
    let (ok, rejects) = run_to_files(&[
        &fixture("html/forum-shell.html"),
        &fixture("html/shop-shell.html"),
    ]);
    assert_eq!(ok.len(), 1, "{ok:?}");
    let r = &ok[0];
    assert!(r["source"].as_str().unwrap().ends_with("forum-shell.html"));
    let text = r["text"].as_str().unwrap();
    assert!(
        text.starts_with("I have a sunny balcony facing south"),
        "{text}"
    );
    assert_eq!(text, r["description"].as_str().unwrap());
    let flags: Vec<&str> = r["quality"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(flags.contains(&"description_only"), "{flags:?}");
    assert_eq!(r["date"], "2024-04-02");
    // A one-line blurb is not content: that shell stays rejected.
    assert_eq!(rejects.len(), 1, "{rejects:?}");
    assert_eq!(rejects[0]["status"], "empty");
    assert!(rejects[0]["source"]
        .as_str()
        .unwrap()
        .ends_with("shop-shell.html"));
}

#[test]
fn the_description_fallback_can_be_switched_off() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    fs::write(&cfg, "[output]\ndescription_fallback_words = 0\n").unwrap();
    let (ok, rejects) = run_to_files(&[
        &fixture("html/forum-shell.html"),
        "--config",
        cfg.to_str().unwrap(),
    ]);
    // Without it the page keeps what it shows a reader without JavaScript.
    assert!(rejects.is_empty(), "{rejects:?}");
    assert_eq!(ok[0]["text"], "Please enable JavaScript to use this forum.");
    let flags = ok[0]["quality"].as_array().unwrap();
    assert!(flags.iter().any(|f| f == "js_required"), "{flags:?}");
    assert!(!flags.iter().any(|f| f == "description_only"), "{flags:?}");
}

/// bench/train-text.py reads this dump: a header naming the features, then one row per
/// body line whose `kept` agrees with what `run` keeps.
#[test]
fn dump_text_features_names_its_columns_and_agrees_with_run() {
    let page = fixture("text/product-with-reviews.txt");
    let out = bin()
        .args(["dump-text-features", &page])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let lines: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let names = lines[0]["features"].as_array().unwrap().len();
    assert!(names > 10, "{:?}", lines[0]);
    assert!(lines.len() > 5);
    for row in &lines[1..] {
        assert_eq!(row["features"].as_array().unwrap().len(), names, "{row}");
        assert!(row["source"]
            .as_str()
            .unwrap()
            .ends_with("product-with-reviews.txt"));
    }
    let text = one_text(&[&page]);
    for row in &lines[1..] {
        let line = row["text"].as_str().unwrap();
        if row["kept"] == true && line.len() > 30 {
            assert!(text.contains(line), "kept but not in the text: {line}");
        }
    }
}
