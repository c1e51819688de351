//! scope_tls: the sampling oscilloscope. Finds the instances of a repeated
//! operation (by default TLS client handshakes, 1.2 and 1.3) in Go
//! execution traces and places each CPU sample taken inside one at its
//! fraction of the way through it, as text lines and/or a pprof profile.
//! Several traces are read in parallel; output follows the input order.

use analysis::eventmatch::EventMatcher;
use clap::Parser;
use gocompat::flag;
use regions::patterns::Pattern;
use regions::source::Source;
use scope::profile::{Base, build};
use scope::region::{RegionSpec, Scope, StartAt, find};
use std::ffi::{OsStr, OsString};
use std::io::{self, Write};
use std::process::ExitCode;
use toolbox_cli::{Error, Tool, shown};
use traceinput::Input;

/// Place CPU samples at their position inside many instances of a short
/// operation (TLS client handshakes unless -start/-end or -region is
/// given) found in
/// Go execution traces (any format, Go 1.11 to today's).
#[derive(Parser, Debug)]
#[command(name = "scope_tls", version)]
struct Flags {
    /// Path to execution trace file ("-" for standard input), Autoprof
    /// bundle (zip or folder) or folder to search for them (repeatable, and
    /// more may follow the flags)
    #[arg(long, action = clap::ArgAction::Append)]
    input: Vec<OsString>,
    /// Path to corresponding CPU profile (optional; for a bundle, its
    /// pprof/profile-during-trace by default)
    #[arg(long, default_value = "")]
    profile: OsString,
    /// Path to output profile
    #[arg(long, default_value = "")]
    output: OsString,
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
    patterns: Vec<OsString>,
    /// More inputs
    paths: Vec<OsString>,
}

/// How instances are found.
enum Finder {
    Events(RegionSpec),
    Kind(Vec<Pattern>, String),
}

fn finder(f: &Flags) -> Result<Finder, Error> {
    if f.region.is_empty() {
        if !f.patterns.is_empty() {
            return Err(Error::Usage("-patterns needs -region".into()));
        }
        return spec(f).map(Finder::Events);
    }
    if !f.start.is_empty() || !f.end.is_empty() {
        return Err(Error::Usage("-region excludes -start and -end".into()));
    }
    let patterns = toolbox_cli::patterns::load(&f.patterns)?;
    Ok(Finder::Kind(patterns, f.region.clone()))
}

fn spec(f: &Flags) -> Result<RegionSpec, Error> {
    if f.start.is_empty() && f.end.is_empty() {
        return Ok(scope::tls::handshake());
    }
    if f.start.is_empty() || f.end.is_empty() {
        return Err(Error::Usage(
            "-start and -end must be given together".into(),
        ));
    }
    let start_at = match f.start_at.as_str() {
        "event" => StartAt::Event,
        "resume" => StartAt::Resume,
        other => {
            return Err(Error::Usage(format!(
                "-start-at: want \"event\" or \"resume\", got {other:?}"
            )));
        }
    };
    Ok(RegionSpec {
        start: f.start.clone(),
        end: f.end.clone(),
        start_at,
    })
}

/// Finds the instances in one trace.
fn scan(input: &Input, finder: &Finder) -> Result<Scope, Error> {
    let name = input.name();
    let open_error = |source| Error::Open {
        path: name.into(),
        source,
    };
    match finder {
        Finder::Events(spec) => {
            let reader = io::BufReader::new(input.open().map_err(open_error)?);
            find(reader, spec).map_err(|source| Error::Trace {
                path: name.into(),
                source,
            })
        }
        Finder::Kind(patterns, kind) => {
            // Read in two passes.
            input.hold().map_err(|source| Error::Read {
                path: name.into(),
                source,
            })?;
            let src = Source::from_fn(input.opener()).map_err(|source| Error::Regions {
                path: name.into(),
                source,
            })?;
            scope::kind::find_kind(&src, patterns, kind).map_err(|e| Error::Scope {
                path: name.into(),
                source: Box::new(e),
            })
        }
    }
}

/// The profile that gives the output its symbols: `-profile`, else the
/// first bundle's `pprof/profile-during-trace`.
fn base(path: &OsStr, inputs: &[Result<Input, traceinput::Error>]) -> Result<Option<Base>, Error> {
    if !path.is_empty() {
        let raw = std::fs::read(path).map_err(|source| Error::Read {
            path: shown(path),
            source,
        })?;
        return Base::decode(&raw).map(Some).map_err(|e| Error::Profile {
            path: shown(path),
            source: Box::new(e),
        });
    }
    let Some(bundle) = inputs.iter().flatten().find(|i| i.is_bundle()) else {
        return Ok(None);
    };
    let name = bundle.name();
    let raw = bundle
        .bundle_profile("profile-during-trace")
        .map_err(|source| Error::Bundle {
            path: name.into(),
            source,
        })?;
    raw.map(|raw| {
        Base::decode(&raw).map_err(|e| Error::Profile {
            path: format!("{name}: pprof/profile-during-trace"),
            source: Box::new(e),
        })
    })
    .transpose()
}

fn run(f: Flags, tool: &Tool) -> Result<(), Error> {
    let finder = finder(&f)?;
    let args: Vec<&OsString> = f.input.iter().chain(&f.paths).collect();
    if args.is_empty() {
        return Err(Error::Usage("no input: give -input FILE".into()));
    }
    let inputs = traceinput::expand(&args);
    let base = base(&f.profile, &inputs)?;
    let mut scopes = Vec::new();
    let mut names = Vec::new();
    traceinput::in_order(
        inputs,
        |input| {
            let s = scan(&input, &finder);
            (input.name().to_owned(), s)
        },
        |r| {
            match r {
                Ok((name, Ok(s))) => {
                    names.push(name);
                    scopes.push(s);
                }
                Ok((_, Err(e))) => tool.report(&e),
                Err(e) => tool.report(&e.into()),
            }
            Ok::<(), Error>(())
        },
    )?;
    if f.text {
        let mut out = io::BufWriter::new(io::stdout().lock());
        for s in &scopes {
            scope::text::write_lines(&mut out, &s.instances).map_err(Error::Stdout)?;
        }
        out.flush().map_err(Error::Stdout)?;
    }
    if !f.output.is_empty() {
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let bytes = build(base, &scopes, &names);
        toolbox_cli::outfile::write(&f.output, &bytes)?;
    }
    Ok(())
}

fn main() -> ExitCode {
    toolbox_cli::main("scope_tls", run)
}
