//! The `boilerstrip` command line. It only wires the library's stages together;
//! see `boilerstrip --help` and the README for the commands and exit codes.

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use clap::{Parser, Subcommand};

use boilerstrip::batch::{self, Summary};
use boilerstrip::config::{self, Rules};
use boilerstrip::record::Record;
use boilerstrip::sink::{self, JsonlWriter};
use boilerstrip::source::{self, Shard, ShardBy};

const EXIT_HELP: &str = "\
Exit codes:
  0  the run finished (rejected pages are counted in the summary)
  1  with --strict: at least one page was rejected
  2  a fatal error: bad config, unreadable input root, write failure
     (nothing is left under OUT's name)
  130  interrupted (SIGINT or SIGTERM): the pages started were finished, OUT and the
     rejects hold complete lines under their final names; `--resume` does the rest.
     A second signal stops at once (the next --resume recovers the temporary files).
A closed output pipe (e.g. `| head`) ends the run quietly with 0.

Streaming mode (`run -` with no -o, or --stream): inputs are read from stdin one
per line as they arrive (page files, folders, WARC files, or WARC record addresses
FILE.warc.gz#OFFSET), and every record, rejects included (see `status`), is
written to stdout as one line, flushed at once. No site-template learning.
SIGINT or SIGTERM stops reading inputs; the pages started are written; exit 130.";

#[derive(Parser)]
#[command(name = "boilerstrip", version, about = "Turn scraped web pages into clean article records (JSONL).", after_help = EXIT_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Extract every page under INPUT... into one JSONL record per page.
    #[command(after_help = EXIT_HELP)]
    Run(RunArgs),
    /// Show a page block by block, kept or removed and by which rule, then its record.
    Explain {
        /// The page (HTML or text, optionally .gz).
        file: PathBuf,
        /// Rules to merge over the defaults.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Print one JSON object (blocks and record) instead of text.
        #[arg(long)]
        json: bool,
        /// The record text's format (default: `[output] format` in the config, `plain`).
        #[arg(long, value_enum)]
        format: Option<FormatArg>,
        /// Learn site templates from the pages under DIR (which must hold FILE), so the
        /// page comes out exactly as `run DIR` gives it, `site-template` removals included.
        #[arg(long, value_name = "DIR")]
        learn_from: Option<PathBuf>,
    },
    /// Run the pipeline on the pages GOLD names and score them (the metrics of score.py).
    Eval(EvalArgs),
    /// Dev tool: the text line model's features, one JSON line per body line of every
    /// text page under INPUT (for bench/train-text.py).
    #[command(hide = true)]
    DumpTextFeatures {
        /// Files or folders.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Rules to merge over the defaults.
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Check or print configuration files.
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
}

#[derive(clap::Args)]
struct RunArgs {
    /// Files or folders (walked recursively for .html .htm .xhtml .txt, also .gz, and for
    /// WARC files .warc .warc.gz); `-` reads paths from stdin.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Output JSONL file (default, or `-`: stdout), gzip or zstd by a `.gz` / `.zst` extension.
    /// Written under a temporary name, renamed at the end. With --shard: a folder, which
    /// gets `part-K-of-N.jsonl`.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Rules to merge over the embedded defaults.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(short, long)]
    jobs: Option<usize>,
    /// Where rejected pages go (default: OUT with `.rejects.jsonl`; none with stdout).
    #[arg(long)]
    rejects: Option<PathBuf>,
    /// No progress bar and no summary.
    #[arg(short, long)]
    quiet: bool,
    /// Exit 1 if any page was rejected.
    #[arg(long)]
    strict: bool,
    /// Do not learn site templates across the batch (each page on its own, streaming).
    #[arg(long)]
    no_learn: bool,
    /// Send pages whose confidence is below X to the rejects with status `low_confidence`.
    #[arg(long, value_name = "X")]
    min_confidence: Option<f32>,
    /// Process only shard K of N (0 <= K < N), chosen by a stable hash. `auto/N` (or `/N`)
    /// takes K from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX. With -o DIR the shard
    /// writes DIR/part-K-of-N.jsonl, and is skipped when that file already exists.
    #[arg(long, value_name = "K/N")]
    shard: Option<String>,
    /// What a shard is cut by: `page` (balanced; template learning sees only the shard's
    /// pages of a site) or `folder` (a folder stays whole: records equal a single run's).
    /// A WARC file always stays whole.
    #[arg(long, value_enum, default_value = "page")]
    shard_by: ShardByArg,
    /// The record text's format (default: `[output] format` in the config, `plain`).
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Continue an earlier run: keep the records of OUT and the rejects file (and of
    /// temporary files left by a run killed hard, up to their last complete line), skip
    /// every input whose `source` they hold, and add the rest. Needs -o.
    #[arg(long)]
    resume: bool,
    /// Streaming mode for engines (implied by a lone `-` input without -o): inputs from
    /// stdin as they arrive, one record per line on OUT, rejects included, flushed per line.
    #[arg(long)]
    stream: bool,
}

/// `--format` values.
#[derive(Clone, Copy, clap::ValueEnum)]
enum FormatArg {
    Plain,
    Markdown,
}

/// `--shard-by` values.
#[derive(Clone, Copy, clap::ValueEnum)]
enum ShardByArg {
    Page,
    Folder,
}

#[derive(clap::Args)]
struct EvalArgs {
    /// Gold JSONL: one object per page with `id`, `file`, and `gold_text` and/or `with`/`without`.
    gold: PathBuf,
    /// Where the pages are (default: the gold file's folder; `file` paths are relative to it).
    input: Option<PathBuf>,
    /// Rules to merge over the embedded defaults.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(short, long)]
    jobs: Option<usize>,
    /// How many of the worst pages to list.
    #[arg(long, default_value_t = 10)]
    worst: usize,
    /// Also write the records to this JSONL file.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Do not learn site templates across the pages.
    #[arg(long)]
    no_learn: bool,
    /// The record text's format (default: `[output] format` in the config, `plain`).
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
}

#[derive(Subcommand)]
enum ConfigAction {
    /// Report every problem in FILE with its line; exit 2 if there is any.
    Check { file: PathBuf },
    /// Print the embedded default config.toml.
    Default,
}

/// Parse the command line, run the command, and map failures to exit codes.
fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run(args),
        Command::Explain {
            file,
            config,
            json,
            format,
            learn_from,
        } => explain(
            &file,
            config.as_deref(),
            json,
            format,
            learn_from.as_deref(),
        ),
        Command::Eval(args) => eval(args),
        Command::DumpTextFeatures { inputs, config } => {
            dump_text_features(&inputs, config.as_deref())
        }
        Command::Config { action } => match action {
            ConfigAction::Check { file } => config_check(&file),
            ConfigAction::Default => print_stdout(config::DEFAULT_CONFIG),
        },
    };
    match result {
        Ok(code) => code,
        Err(Fatal::BrokenPipe) => ExitCode::SUCCESS,
        Err(Fatal::Message(m)) => {
            eprintln!("boilerstrip: {m}");
            ExitCode::from(2)
        }
    }
}

/// A reason to stop with exit code 2 (or quietly, for a closed pipe).
enum Fatal {
    BrokenPipe,
    Message(String),
}

impl Fatal {
    /// An I/O error while writing `what`; a broken pipe is not an error.
    fn io(what: &str, e: io::Error) -> Fatal {
        if e.kind() == io::ErrorKind::BrokenPipe {
            Fatal::BrokenPipe
        } else {
            Fatal::Message(format!("{what}: {e}"))
        }
    }
}

/// `dump-text-features`: per text page, per body line, `{source, line, text, rule,
/// kept, features}`; the first line names the features.
fn dump_text_features(inputs: &[PathBuf], config: Option<&Path>) -> Result<ExitCode, Fatal> {
    let rules = load_rules(config, None)?;
    let walk = source::walk(inputs).map_err(|e| Fatal::Message(e.to_string()))?;
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    boilerstrip::batch::dump_text_features(&rules, &walk.items, &mut out, |item, why| {
        eprintln!("boilerstrip: {}: {why}", item.path.display())
    })
    .and_then(|()| out.flush())
    .map_err(|e| Fatal::io("stdout", e))?;
    Ok(ExitCode::SUCCESS)
}

/// Load the rules, printing every config problem; `--format` overrides the config's.
fn load_rules(path: Option<&Path>, format: Option<FormatArg>) -> Result<Rules, Fatal> {
    let mut rules = Rules::load(path).map_err(|errs| {
        let lines: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        Fatal::Message(format!("bad config:\n  {}", lines.join("\n  ")))
    })?;
    if let Some(f) = format {
        rules.config.output.format = match f {
            FormatArg::Plain => config::Format::Plain,
            FormatArg::Markdown => config::Format::Markdown,
        };
    }
    Ok(rules)
}

/// The exit code of a run stopped by SIGINT or SIGTERM (128 + SIGINT, as shells do).
const EXIT_INTERRUPTED: u8 = 130;

/// A flag set by SIGINT and SIGTERM. A second signal, once the flag is set, ends the
/// process at once with [`EXIT_INTERRUPTED`] (the temporary files stay for `--resume`).
fn interrupt_flag() -> Result<Arc<AtomicBool>, Fatal> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let flag = Arc::new(AtomicBool::new(false));
    for sig in [SIGINT, SIGTERM] {
        // Conditional shutdown first: it fires only when the flag is already set.
        signal_hook::flag::register_conditional_shutdown(
            sig,
            i32::from(EXIT_INTERRUPTED),
            Arc::clone(&flag),
        )
        .and_then(|_| signal_hook::flag::register(sig, Arc::clone(&flag)))
        .map_err(|e| Fatal::Message(format!("cannot install the signal handler: {e}")))?;
    }
    Ok(flag)
}

impl From<sink::OutputError> for Fatal {
    fn from(e: sink::OutputError) -> Fatal {
        Fatal::io(&e.what, e.error)
    }
}

/// `run`: walk the inputs, process them in parallel, write records and rejects.
fn run(mut args: RunArgs) -> Result<ExitCode, Fatal> {
    // `-o -` is stdout, as for most tools: never a file named `-`.
    if args.output.as_deref() == Some(std::path::Path::new("-")) {
        args.output = None;
    }
    let rules = load_rules(args.config.as_deref(), args.format)?;
    let lone_dash = args.inputs.len() == 1 && args.inputs[0].as_os_str() == "-";
    if args.stream || (lone_dash && args.output.is_none()) {
        if args.resume {
            return Err(Fatal::Message(
                "--resume does not apply to the streaming mode".into(),
            ));
        }
        return run_stream(&args, &rules);
    }
    if args.resume && args.output.is_none() {
        return Err(Fatal::Message("--resume needs -o OUT".into()));
    }
    let shard = args
        .shard
        .as_deref()
        .map(|s| Shard::parse(s, |v| std::env::var(v).ok()))
        .transpose()
        .map_err(Fatal::Message)?;
    let inputs = expand_stdin(&args.inputs)?;
    let mut walk = source::walk(&inputs).map_err(|e| Fatal::Message(e.to_string()))?;
    for e in &walk.errors {
        eprintln!("boilerstrip: {}: {}", e.path.display(), e.error);
    }
    if let Some(sh) = shard {
        let by = match args.shard_by {
            ShardByArg::Page => ShardBy::Page,
            ShardByArg::Folder => ShardBy::Folder,
        };
        walk.items.retain(|it| sh.holds(it, by));
    }
    let Some((output, rejects_path)) = output_paths(&args, shard)? else {
        return Ok(ExitCode::SUCCESS);
    };
    let stop = interrupt_flag()?;
    let mut outputs = sink::Outputs::open(output.as_deref(), rejects_path.as_deref(), args.resume)?;
    let before = walk.items.len();
    walk.items.retain(|it| !outputs.is_done(&it.source));
    // WARC records are found only by reading their file: those done are dropped below.
    let mut already_done = before - walk.items.len();
    // WARC files expand into many records: the bar counts inputs only for loose pages.
    let has_warc = walk.items.iter().any(source::is_warc);
    let bar = progress_bar(walk.items.len() as u64, args.quiet || has_warc);
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let mut summary: Summary = batch::run_until(
        &rules,
        &walk.items,
        jobs,
        !args.no_learn,
        &stop,
        |rec: &Record| -> Result<(), Fatal> {
            if let Some(b) = &bar {
                b.inc(1);
            }
            if outputs.is_done(&rec.source) {
                already_done += 1;
                return Ok(());
            }
            let gated = rec.gate_confidence(args.min_confidence);
            Ok(outputs.write(gated.as_ref().unwrap_or(rec))?)
        },
    )?;
    summary.resumed = already_done;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    // A shard's part file means "shard complete", so an interrupted shard keeps its
    // lines under the temporary names, where --resume finds them.
    let interrupted = summary.interrupted || stop.load(Ordering::Relaxed);
    if interrupted && shard.is_some() && args.output.is_some() {
        outputs.keep_temporary()?;
        if !args.quiet {
            eprintln!("{}; shard left unfinished", summary.line());
        }
        return Ok(ExitCode::from(EXIT_INTERRUPTED));
    }
    outputs.finish()?;
    if !args.quiet {
        let mut line = summary.line();
        match &rejects_path {
            Some(p) if summary.rejected_total() > 0 => {
                line.push_str(&format!("; rejects in {}", p.display()))
            }
            None if summary.rejected_total() > 0 => {
                line.push_str("; rejects not written (use --rejects FILE)")
            }
            _ => {}
        }
        eprintln!("{line}");
    }
    Ok(if interrupted {
        ExitCode::from(EXIT_INTERRUPTED)
    } else if args.strict && summary.rejected_total() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// OUT (`None`: stdout) and the rejects file (`None`: not written).
type OutputPaths = (Option<PathBuf>, Option<PathBuf>);

/// Where a run writes: OUT (`None`: stdout) and the rejects file. A shard with `-o DIR`
/// writes its part file in DIR; `None` when that part is already done.
fn output_paths(args: &RunArgs, shard: Option<Shard>) -> Result<Option<OutputPaths>, Fatal> {
    let mut output = args.output.clone();
    let mut rejects = args.rejects.clone();
    if let (Some(sh), Some(dir)) = (shard, &args.output) {
        std::fs::create_dir_all(dir).map_err(|e| Fatal::io(&dir.display().to_string(), e))?;
        let part = dir.join(sh.part_name());
        if part.exists() {
            if !args.quiet {
                eprintln!(
                    "shard {}/{} already done: {} exists",
                    sh.index,
                    sh.count,
                    part.display()
                );
            }
            return Ok(None);
        }
        rejects = rejects.or_else(|| Some(sink::default_rejects_path(&part)));
        output = Some(part);
    }
    // No rejects file next to a device (`-o /dev/full`): it would land in /dev.
    let rejects = rejects.or_else(|| {
        output
            .as_deref()
            .filter(|p| sink::is_regular_or_missing(p))
            .map(sink::default_rejects_path)
    });
    Ok(Some((output, rejects)))
}

/// The streaming mode: every record (rejects too) as one flushed line on OUT, inputs
/// processed as they arrive on stdin, no learning.
fn run_stream(args: &RunArgs, rules: &Rules) -> Result<ExitCode, Fatal> {
    if args.shard.is_some() {
        return Err(Fatal::Message(
            "--shard does not apply to the streaming mode (the engine partitions the input)".into(),
        ));
    }
    let max = rules.config.limits.max_page_bytes;
    let stop = interrupt_flag()?;
    let stdin_error: Arc<Mutex<Option<io::Error>>> = Arc::default();
    // stdin is read once, by the first `-`.
    let mut stdin = args
        .inputs
        .iter()
        .any(|i| i.as_os_str() == "-")
        .then(|| stdin_paths(Arc::clone(&stop), Arc::clone(&stdin_error)));
    let units = args.inputs.iter().flat_map(move |inp| {
        let it: Box<dyn Iterator<Item = batch::Unit> + Send> = if inp.as_os_str() == "-" {
            match stdin.take() {
                Some(paths) => Box::new(paths.flat_map(move |l| batch::input_units(&l, max))),
                None => Box::new(std::iter::empty()),
            }
        } else {
            batch::input_units(&inp.to_string_lossy(), max)
        };
        it
    });
    let mut out = match &args.output {
        Some(p) => JsonlWriter::create(p).map_err(|e| Fatal::io(&p.display().to_string(), e))?,
        None => JsonlWriter::stdout(),
    };
    let out_name = args
        .output
        .as_ref()
        .map_or("<stdout>".to_string(), |p| p.display().to_string());
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let summary = batch::run_units_until(rules, units, jobs, &stop, |rec: &Record| {
        let gated = rec.gate_confidence(args.min_confidence);
        out.write(gated.as_ref().unwrap_or(rec))
            .and_then(|()| out.flush())
            .map_err(|e| Fatal::io(&out_name, e))
    })?;
    out.finish().map_err(|e| Fatal::io(&out_name, e))?;
    if let Some(e) = stdin_error.lock().unwrap_or_else(|p| p.into_inner()).take() {
        return Err(Fatal::Message(format!("stdin: {e}")));
    }
    if !args.quiet {
        eprintln!("{}", summary.stream_line());
    }
    Ok(if summary.interrupted || stop.load(Ordering::Relaxed) {
        ExitCode::from(EXIT_INTERRUPTED)
    } else if args.strict && summary.rejected_total() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The input lines arriving on stdin (blank ones skipped), read on a thread of their
/// own so that an interrupt ends the stream even while no line is coming. A read error
/// ends the stream and is left in `error`.
fn stdin_paths(
    stop: Arc<AtomicBool>,
    error: Arc<Mutex<Option<io::Error>>>,
) -> impl Iterator<Item = String> + Send {
    let (tx, rx) = std::sync::mpsc::sync_channel::<String>(64);
    // Detached: a read blocked on a silent stdin must not hold up the exit.
    std::thread::spawn(move || {
        // Bytes, not String lines: a path that is not UTF-8 must not end the input.
        for line in io::BufReader::new(io::stdin()).split(b'\n') {
            let line = match line {
                Ok(l) => l,
                Err(e) => {
                    *error.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                    return;
                }
            };
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\r', '\n']);
            if !line.trim().is_empty() && tx.send(line.to_string()).is_err() {
                return;
            }
        }
    });
    std::iter::from_fn(move || loop {
        if stop.load(Ordering::Relaxed) {
            return None;
        }
        match rx.recv_timeout(std::time::Duration::from_millis(50)) {
            Ok(line) => return Some(line),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => continue,
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return None,
        }
    })
}

/// Replace a `-` input by the paths read from stdin, one per line.
fn expand_stdin(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, Fatal> {
    let mut out = Vec::new();
    for i in inputs {
        if i.as_os_str() == "-" {
            for line in io::stdin().lock().lines() {
                let line = line.map_err(|e| Fatal::Message(format!("stdin: {e}")))?;
                let line = line.trim_end_matches('\r');
                if !line.trim().is_empty() {
                    out.push(PathBuf::from(line));
                }
            }
        } else {
            out.push(i.clone());
        }
    }
    Ok(out)
}

/// A progress bar on stderr, only when stderr is a terminal and not `--quiet`.
fn progress_bar(len: u64, quiet: bool) -> Option<indicatif::ProgressBar> {
    if quiet || !io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} pages  {per_sec}  ETA {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(bar)
}

/// `explain`: process one file and print its blocks and record.
fn explain(
    file: &Path,
    config: Option<&Path>,
    json: bool,
    format: Option<FormatArg>,
    learn_from: Option<&Path>,
) -> Result<ExitCode, Fatal> {
    let rules = load_rules(config, format)?;
    let outcome = match learn_from {
        Some(dir) => explain_in_batch(&rules, file, dir)?,
        None => {
            let walk =
                source::walk(&[file.to_path_buf()]).map_err(|e| Fatal::Message(e.to_string()))?;
            let Some(item) = walk.items.first() else {
                return Err(Fatal::Message(format!("{}: no page found", file.display())));
            };
            let bytes = source::read(item, rules.config.limits.max_page_bytes)
                .map_err(|e| Fatal::Message(format!("{}: {}", file.display(), e.message)))?;
            let page = boilerstrip::PageInput {
                source: &item.source,
                bytes: &bytes,
                kind_hint: item.kind_hint,
                ..Default::default()
            };
            boilerstrip::process_page(&rules, &page)
        }
    };
    let stdout = io::stdout();
    let color = stdout.is_terminal();
    let mut w = io::BufWriter::new(stdout.lock());
    if json {
        boilerstrip::explain::write_json(&mut w, &outcome)
    } else {
        boilerstrip::explain::write(&mut w, &outcome, color)
    }
    .map_err(|e| Fatal::io("stdout", e))?;
    w.flush().map_err(|e| Fatal::io("stdout", e))?;
    Ok(ExitCode::SUCCESS)
}

/// `explain --learn-from DIR`: FILE's outcome in a learning run over DIR.
fn explain_in_batch(
    rules: &boilerstrip::config::Rules,
    file: &Path,
    dir: &Path,
) -> Result<boilerstrip::Outcome, Fatal> {
    let walk = source::walk(&[dir.to_path_buf()]).map_err(|e| Fatal::Message(e.to_string()))?;
    let want = file
        .canonicalize()
        .map_err(|e| Fatal::io(&file.display().to_string(), e))?;
    let target = walk
        .items
        .iter()
        .position(|it| it.path.canonicalize().is_ok_and(|p| p == want))
        .ok_or_else(|| {
            Fatal::Message(format!(
                "{}: not a page under {}",
                file.display(),
                dir.display()
            ))
        })?;
    boilerstrip::batch::process_in_batch(rules, &walk.items, target)
        .ok_or_else(|| Fatal::Message(format!("{}: no page found", file.display())))
}

/// `eval`: score the pipeline against a gold set and print the metrics and worst pages.
fn eval(args: EvalArgs) -> Result<ExitCode, Fatal> {
    let rules = load_rules(args.config.as_deref(), args.format)?;
    let gold = boilerstrip::eval::load_gold(&args.gold).map_err(Fatal::Message)?;
    let root = match &args.input {
        Some(p) => p.clone(),
        None => args
            .gold
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
    };
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let (report, records) = boilerstrip::eval::run(&rules, &gold, &root, jobs, !args.no_learn)
        .map_err(Fatal::Message)?;
    if let Some(p) = &args.output {
        let mut w = JsonlWriter::create(p).map_err(|e| Fatal::io(&p.display().to_string(), e))?;
        for r in &records {
            w.write(r)
                .map_err(|e| Fatal::io(&p.display().to_string(), e))?;
        }
        w.finish()
            .map_err(|e| Fatal::io(&p.display().to_string(), e))?;
    }
    let mut text = report.summary();
    if args.worst > 0 {
        text.push_str(&report.worst(args.worst));
    }
    print_stdout(&text)
}

/// `config check`: print every problem; exit 2 if any.
fn config_check(file: &Path) -> Result<ExitCode, Fatal> {
    let src = std::fs::read_to_string(file)
        .map_err(|e| Fatal::Message(format!("{}: {e}", file.display())))?;
    let errs = config::check(&file.display().to_string(), &src);
    if errs.is_empty() {
        print_stdout(&format!("{}: ok\n", file.display()))
    } else {
        for e in &errs {
            eprintln!("{e}");
        }
        Ok(ExitCode::from(2))
    }
}

/// Print to stdout; a closed pipe is not an error.
fn print_stdout(s: &str) -> Result<ExitCode, Fatal> {
    let mut out = io::stdout().lock();
    out.write_all(s.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Fatal::io("stdout", e))?;
    Ok(ExitCode::SUCCESS)
}
