//! The `boilerstrip` command line. It only wires the library's stages together;
//! see `boilerstrip --help` and the README for the commands and exit codes.

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use boilerstrip::batch::{self, Summary};
use boilerstrip::config::{self, Rules};
use boilerstrip::record::Record;
use boilerstrip::sink::{self, JsonlWriter};
use boilerstrip::source;

const EXIT_HELP: &str = "\
Exit codes:
  0  the run finished (rejected pages are counted in the summary)
  1  with --strict: at least one page was rejected
  2  a fatal error: bad config, unreadable input root, write failure
     (nothing is left under OUT's name)
A closed output pipe (e.g. `| head`) ends the run quietly with 0.";

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
    },
    /// Run the pipeline on the pages GOLD names and score them (the metrics of score.py).
    Eval(EvalArgs),
    /// Check or print configuration files.
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
}

#[derive(clap::Args)]
struct RunArgs {
    /// Files or folders (walked recursively for .html .htm .xhtml .txt, also .gz); `-` reads paths from stdin.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Output JSONL file (default: stdout). Written under a temporary name, renamed at the end.
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
        Command::Explain { file, config, json } => explain(&file, config.as_deref(), json),
        Command::Eval(args) => eval(args),
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

/// Load the rules, printing every config problem.
fn load_rules(path: Option<&Path>) -> Result<Rules, Fatal> {
    Rules::load(path).map_err(|errs| {
        let lines: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        Fatal::Message(format!("bad config:\n  {}", lines.join("\n  ")))
    })
}

/// `run`: walk the inputs, process them in parallel, write records and rejects.
fn run(args: RunArgs) -> Result<ExitCode, Fatal> {
    let rules = load_rules(args.config.as_deref())?;
    let inputs = expand_stdin(&args.inputs)?;
    let walk = source::walk(&inputs).map_err(|e| Fatal::Message(e.to_string()))?;
    for e in &walk.errors {
        eprintln!("boilerstrip: {}: {}", e.path.display(), e.error);
    }
    let mut out = match &args.output {
        Some(p) => JsonlWriter::create(p).map_err(|e| Fatal::io(&p.display().to_string(), e))?,
        None => JsonlWriter::stdout(),
    };
    let rejects_path = args
        .rejects
        .clone()
        .or_else(|| args.output.as_deref().map(sink::default_rejects_path));
    let mut rejects = match &rejects_path {
        Some(p) => {
            Some(JsonlWriter::create(p).map_err(|e| Fatal::io(&p.display().to_string(), e))?)
        }
        None => None,
    };
    let out_name = args
        .output
        .as_ref()
        .map_or("<stdout>".to_string(), |p| p.display().to_string());
    let bar = progress_bar(walk.items.len() as u64, args.quiet);
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let summary: Summary =
        batch::run(&rules, &walk.items, jobs, !args.no_learn, |rec: &Record| {
            if let Some(b) = &bar {
                b.inc(1);
            }
            match (&mut rejects, rec.is_ok()) {
                (_, true) => out.write(rec).map_err(|e| Fatal::io(&out_name, e)),
                (Some(r), false) => r.write(rec).map_err(|e| Fatal::io("rejects file", e)),
                (None, false) => Ok(()),
            }
        })?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    out.finish().map_err(|e| Fatal::io(&out_name, e))?;
    if let Some(r) = rejects {
        r.finish().map_err(|e| Fatal::io("rejects file", e))?;
    }
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
    Ok(if args.strict && summary.rejected_total() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
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
fn explain(file: &Path, config: Option<&Path>, json: bool) -> Result<ExitCode, Fatal> {
    let rules = load_rules(config)?;
    let walk = source::walk(&[file.to_path_buf()]).map_err(|e| Fatal::Message(e.to_string()))?;
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
    let outcome = boilerstrip::process_page(&rules, &page);
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

/// `eval`: score the pipeline against a gold set and print the metrics and worst pages.
fn eval(args: EvalArgs) -> Result<ExitCode, Fatal> {
    let rules = load_rules(args.config.as_deref())?;
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
