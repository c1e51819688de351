//! etperfetto: convert Go execution traces (any format, several at once)
//! to one Perfetto trace for ui.perfetto.dev or trace_processor, optionally
//! narrowed to a time window and to some goroutines, with regiongraph's
//! regions and their cause links.

use clap::Parser;
use gocompat::flag;
use goperfetto::{Bound, Opener, Options, RegionOptions, Select};
use perfetto::Writer;
use std::ffi::OsString;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;
use std::sync::Arc;
use toolbox_cli::{Error, Tool};

/// Convert Go execution traces (Go 1.11 to today's) to a Perfetto trace:
/// goroutines, Ps, GC, tasks, regions, metrics, CPU samples and wake-up
/// flows, one process track group per input.
#[derive(Parser, Debug)]
#[command(name = "etperfetto", version)]
struct Flags {
    /// Path to execution trace file ("-" for standard input), Autoprof
    /// bundle (zip or folder) or folder to search for them (repeatable, and
    /// more may follow the flags)
    #[arg(long, action = clap::ArgAction::Append)]
    input: Vec<OsString>,
    /// The Perfetto trace to write ("-" for standard output); written
    /// whole or not at all
    #[arg(long, default_value = "")]
    output: OsString,
    /// Start of the time window: ns on the trace's clock (as etgrep prints
    /// times), or a Go duration after the trace's first event (1.5s)
    #[arg(long, allow_hyphen_values = true, value_parser = parse_bound)]
    from: Option<Bound>,
    /// End of the time window (as -from)
    #[arg(long, allow_hyphen_values = true, value_parser = parse_bound)]
    to: Option<Bound>,
    /// Show only this goroutine, and the goroutines that woke it or that it
    /// woke in the window (repeatable)
    #[arg(long, action = clap::ArgAction::Append, allow_hyphen_values = true)]
    goroutine: Vec<i64>,
    /// Add regiongraph's regions as slices under their goroutines, with
    /// the links of their cause trees as flows
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true",
          default_value = "false", value_parser = flag::parse_bool)]
    regions: bool,
    /// With -regions: only the cause trees whose root is of this kind
    /// (region kind, or root function), as regiongraph's -kind
    #[arg(long)]
    kind: Option<String>,
    /// With -regions: only the cause trees whose root region lasts at least
    /// this long (Go duration: 10ms)
    #[arg(long = "min-length", default_value = "0",
          value_parser = |s: &str| gocompat::duration::parse_duration(s).map_err(|e| e.to_string()))]
    min_length: i64,
    /// Region pattern file (TOML, see regiongraph -list-patterns) added to
    /// the built-in patterns (repeatable)
    #[arg(long, action = clap::ArgAction::Append)]
    patterns: Vec<OsString>,
    /// More inputs
    paths: Vec<OsString>,
}

/// `-from`/`-to`: an integer is a time on the trace's clock, anything else
/// a Go duration after the first event.
fn parse_bound(s: &str) -> Result<Bound, String> {
    if let Ok(t) = s.parse::<i64>() {
        return Ok(Bound::At(t));
    }
    gocompat::duration::parse_duration(s)
        .map(Bound::After)
        .map_err(|e| format!("not a time in ns nor a Go duration: {e}"))
}

/// Where the trace goes.
enum Out {
    File(toolbox_cli::outfile::OutFile),
    Stdout(io::Stdout),
}

impl Write for Out {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Out::File(f) => f.write(buf),
            Out::Stdout(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Out::File(f) => f.flush(),
            Out::Stdout(s) => s.flush(),
        }
    }
}

fn run(f: Flags, tool: &Tool) -> Result<(), Error> {
    let args: Vec<&OsString> = f.input.iter().chain(&f.paths).collect();
    if args.is_empty() {
        return Err(Error::Usage("no -input trace given".into()));
    }
    if f.output.is_empty() {
        return Err(Error::Usage(
            "no -output file given (\"-\" for standard output)".into(),
        ));
    }
    if !f.regions && (f.kind.is_some() || f.min_length != 0 || !f.patterns.is_empty()) {
        return Err(Error::Usage(
            "-kind, -min-length and -patterns need -regions".into(),
        ));
    }
    let regions = if f.regions {
        Some(RegionOptions {
            patterns: toolbox_cli::patterns::load(&f.patterns)?,
            select: Select {
                kind: f.kind.clone(),
                min_length_ns: f.min_length,
            },
        })
    } else {
        None
    };
    let opts = Options {
        from: f.from,
        to: f.to,
        goroutines: f.goroutine.clone(),
    };
    let out_error = |source| Error::Write {
        path: toolbox_cli::shown(&f.output),
        source,
    };
    let out = if f.output == "-" {
        Out::Stdout(io::stdout())
    } else {
        Out::File(toolbox_cli::outfile::create(&f.output)?)
    };
    let mut w = Writer::new(BufWriter::with_capacity(1 << 20, out), 1);
    let mut converted = 0;
    for (i, input) in traceinput::expand(&args).into_iter().enumerate() {
        let input = match input {
            Ok(input) => input,
            Err(e) => {
                tool.report(&e.into());
                continue;
            }
        };
        let name = input.name().to_owned();
        if !opts.goroutines.is_empty() || regions.is_some() {
            input.hold_all().map_err(|source| Error::Read {
                path: name.clone(),
                source,
            })?;
        }
        let open: Opener = Arc::new(input.source_opener());
        match goperfetto::convert(&mut w, i as u32, &name, &open, &opts, regions.as_ref()) {
            Ok(_) => converted += 1,
            Err(goperfetto::Error::Write(e)) => return Err(out_error(e)),
            Err(e) => tool.report(&Error::Perfetto {
                path: name,
                source: Box::new(e),
            }),
        }
    }
    let out = w
        .finish()
        .map_err(out_error)?
        .into_inner()
        .map_err(|e| out_error(e.into_error()))?;
    match out {
        Out::File(file) if converted > 0 => file.commit(),
        // Nothing converted: no file.
        Out::File(_) => Ok(()),
        Out::Stdout(mut s) => s.flush().map_err(out_error),
    }
}

fn main() -> ExitCode {
    toolbox_cli::main("etperfetto", run)
}
