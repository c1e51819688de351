//! etgrep: print the events of a Go execution trace, one line each, with
//! optional stacks, filtered by goroutine, time, event kind and stack shape.

use analysis::eventmatch::EventMatcher;
use clap::Parser;
use gocompat::flag;
use gotrace::{Event, EventKind, Reader, format};
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Read, Write};
use std::process::ExitCode;
use toolbox_cli::goflags;

/// Print the events of a Go execution trace (any format, Go 1.11 to today's),
/// one line per event, as `go tool trace -d=parsed` prints their first line.
#[derive(Parser, Debug)]
#[command(name = "etgrep", version)]
struct Flags {
    /// Path to execution trace file ("-" for standard input)
    #[arg(long, default_value = "")]
    input: String,
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
    /// Sort by "time" or "goroutine"
    #[arg(long, default_value = "time")]
    sort: String,
    /// Event and stack pattern to match. Try 'Any "**"' to match all events.
    /// Try 'StateTransition "net/http...conn..serve" "ServeHTTP" "**" "sync...Mutex..Lock"'
    /// to find stacks where an inbound HTTP request has to wait for a Mutex.
    /// Older event names such as GoBlockSync or GoCreate are accepted too.
    #[arg(long = "match", value_parser = EventMatcher::parse)]
    matcher: Option<EventMatcher>,
}

struct Filter {
    goroutine: i64,
    time: i64,
    matcher: Option<EventMatcher>,
    /// Stack-pattern results by stack ID, valid within one generation.
    stack_cache: HashMap<u64, bool>,
}

impl Filter {
    fn passes(&mut self, ev: &Event<'_>, goid: i64) -> bool {
        if self.goroutine != 0 && self.goroutine != goid {
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

fn open(path: &str) -> io::Result<Box<dyn Read>> {
    if path == "-" {
        return Ok(Box::new(io::stdin()));
    }
    Ok(Box::new(std::fs::File::open(path)?))
}

fn run(flags: Flags) -> Result<(), String> {
    let path = &flags.input;
    let input = open(path).map_err(|e| format!("open {path}: {e}"))?;
    let mut reader = Reader::new(input).map_err(|e| format!("{path}: {e}"))?;
    let mut filter = Filter {
        goroutine: flags.goroutine,
        time: flags.time,
        matcher: flags.matcher,
        stack_cache: HashMap::new(),
    };
    let by_time = flags.sort == "time";
    let by_goroutine = flags.sort == "goroutine";
    // Output is gathered in chunks of 64 KiB or more, so it goes to stdout
    // without another buffer.
    let mut out = io::stdout().lock();
    let mut groups: BTreeMap<i64, Vec<u8>> = BTreeMap::new();
    let mut line = Vec::with_capacity(4096);
    let mut failure = None;
    loop {
        let ev = match reader.read_event() {
            Ok(Some(ev)) => ev,
            Ok(None) => break,
            Err(e) => {
                failure = Some(format!("{path}: {e}"));
                break;
            }
        };
        if ev.kind() == EventKind::Sync {
            filter.stack_cache.clear();
        }
        let goid = analysis::event_goroutine(&ev);
        if !(by_time || by_goroutine) || !filter.passes(&ev, goid) {
            continue;
        }
        let buf = if by_time {
            &mut line
        } else {
            groups.entry(goid).or_default()
        };
        format::write_event_line(&ev, buf);
        buf.push(b'\n');
        if flags.stacks {
            format::write_stack_lines(&ev, buf);
        }
        if by_time && line.len() >= 64 << 10 {
            write_out(&mut out, &line)?;
            line.clear();
        }
    }
    write_out(&mut out, &line)?;
    let mut first = true;
    for text in groups.values() {
        if !first {
            write_out(&mut out, b"\n")?;
        }
        first = false;
        write_out(&mut out, text)?;
    }
    out.flush().map_err(|e| e.to_string())?;
    failure.map_or(Ok(()), Err)
}

fn write_out(out: &mut impl Write, data: &[u8]) -> Result<(), String> {
    out.write_all(data).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    toolbox_cli::finish("etgrep", run(goflags::parse()))
}
