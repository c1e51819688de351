//! scope_tls: the sampling oscilloscope. Finds the instances of a repeated
//! operation (by default TLS client handshakes, 1.2 and 1.3) in Go
//! execution traces and places each CPU sample taken inside one at its
//! fraction of the way through it, as text lines and/or a pprof profile.
//! Several traces are read in parallel; output follows the input order.

use analysis::eventmatch::EventMatcher;
use clap::Parser;
use gocompat::flag;
use rayon::prelude::*;
use regions::patterns::{Pattern, PatternDefs};
use scope::profile::{Base, build};
use scope::region::{RegionSpec, Scope, StartAt, find};
use std::io::{self, Write};
use std::process::ExitCode;
use toolbox_cli::goflags;

/// Place CPU samples at their position inside many instances of a short
/// operation (TLS client handshakes unless -start/-end or -region is
/// given) found in
/// Go execution traces (any format, Go 1.11 to today's).
#[derive(Parser, Debug)]
#[command(name = "scope_tls", version)]
struct Flags {
    /// Path to execution trace file (repeatable; more paths may follow the flags)
    #[arg(long, action = clap::ArgAction::Append)]
    input: Vec<String>,
    /// Path to corresponding CPU profile (optional)
    #[arg(long, default_value = "")]
    profile: String,
    /// Path to output profile
    #[arg(long, default_value = "")]
    output: String,
    /// Write text format to stdout
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true",
          default_value = "false", value_parser = flag::parse_bool)]
    text: bool,
    /// Event and stack pattern that starts an instance, in etgrep's -match
    /// language (repeatable: any of them); replaces the TLS handshake
    /// patterns, and needs -end
    #[arg(long, action = clap::ArgAction::Append, value_parser = EventMatcher::parse)]
    start: Vec<EventMatcher>,
    /// Event and stack pattern that ends an instance: the first match after
    /// the start (repeatable: any of them)
    #[arg(long, action = clap::ArgAction::Append, value_parser = EventMatcher::parse)]
    end: Vec<EventMatcher>,
    /// Where an instance starts: "event" (at the start event) or "resume"
    /// (when the goroutine next leaves Waiting or Syscall after it, as the
    /// TLS handshake does after its network wait)
    #[arg(long = "start-at", default_value = "event")]
    start_at: String,
    /// Use the regions of this kind from regiongraph's patterns as the
    /// instances (first event to last), instead of -start/-end
    #[arg(long, default_value = "")]
    region: String,
    /// Region pattern file for -region (regiongraph's format), added to the
    /// built-in patterns (repeatable)
    #[arg(long, action = clap::ArgAction::Append)]
    patterns: Vec<String>,
    /// More trace files
    paths: Vec<String>,
}

/// How instances are found.
enum Finder {
    Events(RegionSpec),
    Kind(Vec<Pattern>, String),
}

fn finder(f: &Flags) -> Result<Finder, String> {
    if f.region.is_empty() {
        if !f.patterns.is_empty() {
            return Err("-patterns needs -region".into());
        }
        return spec(f).map(Finder::Events);
    }
    if !f.start.is_empty() || !f.end.is_empty() {
        return Err("-region excludes -start and -end".into());
    }
    let mut defs = PatternDefs::builtin();
    for p in &f.patterns {
        let src = std::fs::read_to_string(p).map_err(|e| format!("{p}: {e}"))?;
        defs.add(&src).map_err(|e| format!("{p}: {e}"))?;
    }
    let patterns = defs.compile().map_err(|e| format!("patterns: {e}"))?;
    Ok(Finder::Kind(patterns, f.region.clone()))
}

fn spec(f: &Flags) -> Result<RegionSpec, String> {
    if f.start.is_empty() && f.end.is_empty() {
        return Ok(scope::tls::handshake());
    }
    if f.start.is_empty() || f.end.is_empty() {
        return Err("-start and -end must be given together".into());
    }
    let start_at = match f.start_at.as_str() {
        "event" => StartAt::Event,
        "resume" => StartAt::Resume,
        other => {
            return Err(format!(
                "-start-at: want \"event\" or \"resume\", got {other:?}"
            ));
        }
    };
    Ok(RegionSpec {
        start: f.start.clone(),
        end: f.end.clone(),
        start_at,
    })
}

fn scan(path: &str, finder: &Finder) -> Result<Scope, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("open {path}: {e}"))?;
    let input = io::BufReader::new(file);
    match finder {
        Finder::Events(spec) => find(input, spec).map_err(|e| format!("{path}: {e}")),
        Finder::Kind(patterns, kind) => {
            drop(input);
            let src = regions::source::Source::open(path).map_err(|e| format!("{path}: {e}"))?;
            scope::kind::find_kind(&src, patterns, kind).map_err(|e| format!("{path}: {e}"))
        }
    }
}

fn run(f: Flags) -> Result<(), String> {
    let finder = finder(&f)?;
    let paths: Vec<&String> = f.input.iter().chain(&f.paths).collect();
    if paths.is_empty() {
        return Err("no input: give -input FILE".into());
    }
    let base = if f.profile.is_empty() {
        None
    } else {
        let p = &f.profile;
        let raw = std::fs::read(p).map_err(|e| format!("read {p}: {e}"))?;
        Some(Base::decode(&raw).map_err(|e| format!("{p}: {e}"))?)
    };
    let scopes: Vec<Scope> = paths
        .par_iter()
        .map(|p| scan(p, &finder))
        .collect::<Result<_, _>>()?;
    if f.text {
        let stdout = io::stdout();
        let mut out = io::BufWriter::new(stdout.lock());
        for s in &scopes {
            scope::text::write_lines(&mut out, &s.instances).map_err(|e| e.to_string())?;
        }
        out.flush().map_err(|e| e.to_string())?;
    }
    if !f.output.is_empty() {
        let names: Vec<&str> = paths.iter().map(|p| p.as_str()).collect();
        let bytes = build(base, &scopes, &names);
        std::fs::write(&f.output, bytes).map_err(|e| format!("write {}: {e}", f.output))?;
    }
    Ok(())
}

fn main() -> ExitCode {
    toolbox_cli::finish("scope_tls", run(goflags::parse()))
}
