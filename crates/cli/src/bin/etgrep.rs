//! etgrep: print the events of a Go execution trace, one line each, with
//! optional stacks, filtered by goroutine, time, event kind and stack shape;
//! with `-unblockers`, a goroutine's events come with those of the
//! goroutines that created or unblocked it.

use analysis::eventmatch::EventMatcher;
use clap::Parser;
use gocompat::flag;
use gotrace::{Event, EventKind, Reader, format};
use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;
use std::io::{self, Write};
use std::process::ExitCode;
use toolbox_cli::{Error, Tool};
use traceinput::Input;

/// Print the events of a Go execution trace (any format, Go 1.11 to today's),
/// one line per event, as `go tool trace -d=parsed` prints their first line.
#[derive(Parser, Debug)]
#[command(name = "etgrep", version)]
struct Flags {
    /// Path to execution trace file ("-" for standard input), Autoprof
    /// bundle (zip or folder) or folder to search for them (repeatable, and
    /// more may follow the flags); with several traces each line starts
    /// with `PATH:`
    #[arg(long, action = clap::ArgAction::Append)]
    input: Vec<OsString>,
    /// Show full stack of matching events
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true",
          default_value = "false", value_parser = flag::parse_bool)]
    stacks: bool,
    /// Filter to events from a single goroutine (-1: events of no goroutine)
    #[arg(long, default_value = "0", allow_negative_numbers = true, value_parser = flag::parse_int)]
    goroutine: i64,
    /// Filter to events with a specific timestamp
    #[arg(long, default_value = "0", allow_negative_numbers = true, value_parser = flag::parse_int)]
    time: i64,
    /// With -goroutine N, also print the events of other goroutines that made
    /// N runnable (created or unblocked it), in time order among N's own
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true",
          default_value = "false", value_parser = flag::parse_bool)]
    unblockers: bool,
    /// Sort by "time" or "goroutine"
    #[arg(long, default_value = "time", value_parser = ["time", "goroutine"])]
    sort: String,
    /// Event and stack pattern to match. Try 'Any "**"' to match all events.
    /// Try 'StateTransition "net/http...conn..serve" "ServeHTTP" "**" "sync...Mutex..Lock"'
    /// to find stacks where an inbound HTTP request has to wait for a Mutex.
    /// Older event names such as GoBlockSync or GoCreate are accepted too.
    #[arg(long = "match", value_parser = EventMatcher::parse)]
    matcher: Option<EventMatcher>,
    /// More inputs
    paths: Vec<OsString>,
}

struct Filter {
    goroutine: i64,
    /// Also pass the events that wake `goroutine`.
    unblockers: bool,
    time: i64,
    matcher: Option<EventMatcher>,
    /// Stack-pattern results by stack ID, valid within one generation.
    stack_cache: HashMap<u64, bool>,
}

impl Filter {
    fn passes(&mut self, ev: &Event<'_>, goid: i64) -> bool {
        if self.goroutine != 0
            && self.goroutine != goid
            && !(self.unblockers && analysis::links::woken(ev) == Some(self.goroutine))
        {
            return false;
        }
        if self.time != 0 && self.time != ev.time() {
            return false;
        }
        let Some(m) = self.matcher.as_ref().filter(|m| m.is_filter()) else {
            return true;
        };
        if !m.kind_matches(ev) {
            return false;
        }
        let stack = ev.stack();
        *self
            .stack_cache
            .entry(stack.id())
            .or_insert_with(|| m.pattern().matches_stack(&stack))
    }
}

/// Prints the matching events of one trace to `out`, each line after
/// `prefix` (`PATH:` when there are several inputs). In a broken trace,
/// the events read before the problem are printed, then its error is
/// returned.
fn grep(
    input: &Input,
    flags: &Flags,
    prefix: Option<&[u8]>,
    out: &mut impl Write,
) -> Result<(), Error> {
    let name = input.name();
    let open_error = |source| Error::Open {
        path: name.into(),
        source,
    };
    let trace_error = |source| Error::Trace {
        path: name.into(),
        source,
    };
    let source = input.source().map_err(open_error)?;
    let mut reader = Reader::from_source(source).map_err(trace_error)?;
    let mut filter = Filter {
        goroutine: flags.goroutine,
        unblockers: flags.unblockers,
        time: flags.time,
        matcher: flags.matcher.clone(),
        stack_cache: HashMap::new(),
    };
    // clap accepts only "time" and "goroutine".
    let by_time = flags.sort == "time";
    let mut groups: BTreeMap<i64, Vec<u8>> = BTreeMap::new();
    let mut line = Vec::with_capacity(4096);
    let mut one = Vec::new();
    let mut stacks = format::StackLines::new();
    let mut failure = None;
    loop {
        let ev = match reader.read_event() {
            Ok(Some(ev)) => ev,
            Ok(None) => break,
            Err(e) => {
                failure = Some(trace_error(e));
                break;
            }
        };
        if ev.kind() == EventKind::Sync {
            filter.stack_cache.clear();
            stacks.clear();
        }
        let goid = analysis::event_goroutine(&ev);
        if !filter.passes(&ev, goid) {
            continue;
        }
        let buf = if by_time {
            &mut line
        } else {
            groups.entry(goid).or_default()
        };
        let text = if prefix.is_some() {
            one.clear();
            &mut one
        } else {
            &mut *buf
        };
        format::write_event_line(&ev, text);
        text.push(b'\n');
        if flags.stacks {
            stacks.write(&ev, text);
        }
        if let Some(p) = prefix {
            prefix_lines(p, &one, buf);
        }
        if by_time && line.len() >= 64 << 10 {
            out.write_all(&line).map_err(Error::Stdout)?;
            line.clear();
        }
    }
    out.write_all(&line).map_err(Error::Stdout)?;
    let mut first = true;
    for text in groups.values() {
        if !first {
            out.write_all(prefix.unwrap_or_default())
                .and_then(|()| out.write_all(b"\n"))
                .map_err(Error::Stdout)?;
        }
        first = false;
        out.write_all(text).map_err(Error::Stdout)?;
    }
    out.flush().map_err(Error::Stdout)?;
    failure.map_or(Ok(()), Err)
}

/// Appends `text`'s lines to `out`, each after `prefix`.
fn prefix_lines(prefix: &[u8], text: &[u8], out: &mut Vec<u8>) {
    for l in text.split_inclusive(|&b| b == b'\n') {
        out.extend_from_slice(prefix);
        out.extend_from_slice(l);
    }
}

fn run(flags: Flags, tool: &Tool) -> Result<(), Error> {
    let args: Vec<&OsString> = flags.input.iter().chain(&flags.paths).collect();
    if args.is_empty() {
        return Err(Error::Usage("no -input trace given".into()));
    }
    if flags.unblockers && flags.goroutine == 0 {
        return Err(Error::Usage("-unblockers needs -goroutine N".into()));
    }
    let mut inputs = traceinput::expand(&args);
    // One trace: straight to standard output, in chunks of 64 KiB or more,
    // so without another buffer.
    if matches!(&inputs[..], [Ok(_)])
        && let Some(Ok(input)) = inputs.pop()
    {
        return grep(&input, &flags, None, &mut io::stdout().lock());
    }
    // Several: each trace's lines are named, and printed in argument order.
    toolbox_cli::print_in_order(tool, inputs, &mut io::stdout().lock(), |input, mut out| {
        let prefix = format!("{}:", input.name());
        grep(&input, &flags, Some(prefix.as_bytes()), &mut out)
    })
}

fn main() -> ExitCode {
    toolbox_cli::main("etgrep", run)
}
