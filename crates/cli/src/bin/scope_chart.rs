//! scope_chart: draws scope_tls's text lines as a chart, one lane per
//! distinct stack with each sample at its fraction of the way through its
//! instance, as SVG and/or PNG.

use clap::Parser;
use gocompat::flag;
use scope::chart::{self, input};
use std::ffi::OsString;
use std::io::Read;
use std::process::ExitCode;
use toolbox_cli::{Error, Tool, outfile, shown};

/// Chart scope_tls's text lines (`start N length N frac F stack A;B;C`).
#[derive(Parser, Debug)]
#[command(name = "scope_chart", version)]
struct Flags {
    /// Path to scope_tls's text output (empty or "-": standard input)
    #[arg(long, default_value = "")]
    input: OsString,
    /// Path to write the SVG chart to
    #[arg(long, default_value = "")]
    svg: OsString,
    /// Path to write the PNG chart to
    #[arg(long, default_value = "")]
    png: OsString,
    /// Chart upstream's built-in sample input instead of reading any
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true",
          default_value = "false", value_parser = flag::parse_bool)]
    sample: bool,
}

fn read_input(f: &Flags) -> Result<String, Error> {
    if f.sample {
        if !f.input.is_empty() {
            return Err(Error::Usage("-sample and -input exclude each other".into()));
        }
        return Ok(chart::SAMPLE.to_owned());
    }
    let mut buf = Vec::new();
    if f.input.is_empty() || f.input == "-" {
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|source| Error::Read {
                path: "standard input".into(),
                source,
            })?;
    } else {
        buf = std::fs::read(&f.input).map_err(|source| Error::Read {
            path: shown(&f.input),
            source,
        })?;
    }
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

fn run(f: Flags, _: &Tool) -> Result<(), Error> {
    if f.svg.is_empty() && f.png.is_empty() {
        return Err(Error::Usage(
            "nothing to write: give -svg PATH and/or -png PATH".into(),
        ));
    }
    let name = if f.input.is_empty() {
        "standard input".to_owned()
    } else {
        shown(&f.input)
    };
    let data = input::parse(&read_input(&f)?).map_err(|e| Error::Scope {
        path: name.clone(),
        source: Box::new(e),
    })?;
    if data.lanes.is_empty() {
        return Err(Error::NoSampleLines { path: name });
    }
    if !f.png.is_empty() {
        let png = chart::png::render(&data).map_err(|e| Error::Scope {
            path: shown(&f.png),
            source: Box::new(e),
        })?;
        outfile::write(&f.png, &png)?;
    }
    if !f.svg.is_empty() {
        outfile::write(&f.svg, chart::svg::render(&data).as_bytes())?;
    }
    Ok(())
}

fn main() -> ExitCode {
    toolbox_cli::main("scope_chart", run)
}
