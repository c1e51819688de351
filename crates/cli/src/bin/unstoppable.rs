//! unstoppable: explain the stop-the-world pauses of Go execution traces.
//! Each pause is split into pre-stop, stopped and post-stop phases and
//! summarized on a line; the CPU samples taken during pauses can be
//! printed with their stacks and written as a pprof profile. Several traces
//! are read in parallel; output follows the input order.

use clap::Parser;
use gocompat::flag;
use std::ffi::OsString;
use std::io::{self, Write};
use std::process::ExitCode;
use stw::profile::ProfileWriter;
use stw::text::TextOptions;
use toolbox_cli::{Error, Tool};
use traceinput::Input;

/// Explain the stop-the-world pauses of Go execution traces (any format, Go
/// 1.11 to today's): a summary line per pause, split into pre-stop,
/// stopped and post-stop phases, and the CPU samples taken in each.
#[derive(Parser, Debug)]
#[command(name = "unstoppable", version)]
struct Flags {
    /// Path to execution trace file ("-" for standard input), Autoprof
    /// bundle (zip or folder) or folder to search for them (repeatable, and
    /// more may follow the flags); with several traces each line starts
    /// with `PATH:`
    #[arg(long, action = clap::ArgAction::Append)]
    input: Vec<OsString>,
    /// Output path for CPU profile covering STW ranges
    #[arg(long, default_value = "")]
    profile: OsString,
    /// Log a summary of each STW range
    #[arg(long = "print-stw", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", default_value = "true",
          value_parser = flag::parse_bool)]
    print_stw: bool,
    /// Log each CPU sample that arrived during a STW range
    #[arg(long = "print-stacks", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", default_value = "false",
          value_parser = flag::parse_bool)]
    print_stacks: bool,
    /// Grace period, to ignore samples that arrive early in each STW phase
    /// (Go duration: 250us, 1ms, 1.5s, ...)
    #[arg(long, default_value = "0", allow_hyphen_values = true,
          value_parser = |s: &str| gocompat::duration::parse_duration(s).map_err(|e| e.to_string()))]
    grace: i64,
    /// Write one JSON line per STW range (trace, kind, start, phase
    /// lengths, sample count, each counted sample's phase) instead of text
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true",
          default_value = "false", value_parser = flag::parse_bool)]
    json: bool,
    /// More inputs
    paths: Vec<OsString>,
}

/// One trace's output, and what the profile needs of it.
struct Done {
    name: String,
    text: String,
    scan: stw::Scan,
}

/// Reads one trace and renders its pauses; `named` puts `NAME:` before
/// each text line.
fn analyze(input: &Input, f: &Flags, named: bool) -> Result<Done, Error> {
    let name = input.name().to_owned();
    let source = input.source().map_err(|source| Error::Open {
        path: name.clone(),
        source,
    })?;
    // The trace reader buffers its input itself.
    let scan = stw::scan(source, !f.profile.is_empty());
    let prefix = if named {
        format!("{name}:")
    } else {
        String::new()
    };
    let opts = TextOptions {
        summary: f.print_stw,
        stacks: f.print_stacks,
    };
    let mut text = String::new();
    for p in &scan.pauses {
        let placed = p.placed(f.grace);
        if f.json {
            stw::json::write_pause(&mut text, &name, p, &placed);
        } else {
            stw::text::write_pause(&mut text, &prefix, p, &placed, opts);
        }
    }
    Ok(Done { name, text, scan })
}

/// The error a trace ended with, named.
fn scan_error(name: &str, e: stw::Error) -> Error {
    match e {
        stw::Error::Trace(source) => Error::Trace {
            path: name.into(),
            source,
        },
        stw::Error::Read(source) => Error::Read {
            path: name.into(),
            source,
        },
        e @ stw::Error::Overlap(_) => Error::Stw {
            path: name.into(),
            source: Box::new(e),
        },
    }
}

fn run(f: Flags, tool: &Tool) -> Result<(), Error> {
    let args: Vec<&OsString> = f.input.iter().chain(&f.paths).collect();
    if args.is_empty() {
        return Err(Error::Usage("no -input trace given".into()));
    }
    let inputs = traceinput::expand(&args);
    let named = !matches!(&inputs[..], [Ok(_)]);
    let mut profile = (!f.profile.is_empty()).then(ProfileWriter::new);
    let mut whole = 0;
    let mut out = io::BufWriter::new(io::stdout().lock());
    traceinput::in_order(
        inputs,
        |input| analyze(&input, &f, named),
        |r| {
            let mut done = match r {
                Ok(Ok(done)) => done,
                Ok(Err(e)) => {
                    tool.report(&e);
                    return Ok(());
                }
                Err(e) => {
                    tool.report(&e.into());
                    return Ok(());
                }
            };
            out.write_all(done.text.as_bytes()).map_err(Error::Stdout)?;
            if let Some(e) = done.scan.error.take() {
                // Upstream stops there and writes no profile of it.
                out.flush().map_err(Error::Stdout)?;
                tool.report(&scan_error(&done.name, e));
                return Ok(());
            }
            whole += 1;
            if let Some(w) = &mut profile {
                let sha = done.scan.sha256_hex().unwrap_or_default();
                let trace = named.then_some(done.name.as_str());
                for p in &done.scan.pauses {
                    for s in p.placed(f.grace) {
                        w.add(&s, &sha, trace);
                    }
                }
            }
            Ok::<(), Error>(())
        },
    )?;
    out.flush().map_err(Error::Stdout)?;
    if let Some(w) = profile.filter(|_| whole > 0) {
        toolbox_cli::outfile::write(&f.profile, &w.finish_gzip())?;
    }
    Ok(())
}

fn main() -> ExitCode {
    toolbox_cli::main("unstoppable", run)
}
