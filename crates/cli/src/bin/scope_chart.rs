//! scope_chart: draws scope_tls's text lines as a chart, one lane per
//! distinct stack with each sample at its fraction of the way through its
//! instance, as SVG and/or PNG.

use clap::Parser;
use gocompat::flag;
use scope::chart::{self, input};
use std::io::Read;
use std::process::ExitCode;
use toolbox_cli::goflags;

/// Chart scope_tls's text lines (`start N length N frac F stack A;B;C`).
#[derive(Parser, Debug)]
#[command(name = "scope_chart", version)]
struct Flags {
    /// Path to scope_tls's text output (empty or "-": standard input)
    #[arg(long, default_value = "")]
    input: String,
    /// Path to write the SVG chart to
    #[arg(long, default_value = "")]
    svg: String,
    /// Path to write the PNG chart to
    #[arg(long, default_value = "")]
    png: String,
    /// Chart upstream's built-in sample input instead of reading any
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true",
          default_value = "false", value_parser = flag::parse_bool)]
    sample: bool,
}

fn read_input(f: &Flags) -> Result<String, String> {
    if f.sample {
        if !f.input.is_empty() {
            return Err("-sample and -input exclude each other".into());
        }
        return Ok(chart::SAMPLE.to_owned());
    }
    let mut buf = Vec::new();
    if f.input.is_empty() || f.input == "-" {
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| format!("reading standard input: {e}"))?;
    } else {
        buf = std::fs::read(&f.input).map_err(|e| format!("read {}: {e}", f.input))?;
    }
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

fn run(f: Flags) -> Result<(), String> {
    if f.svg.is_empty() && f.png.is_empty() {
        return Err("nothing to write: give -svg PATH and/or -png PATH".into());
    }
    let name = if f.input.is_empty() {
        "standard input"
    } else {
        &f.input
    };
    let data = input::parse(&read_input(&f)?);
    if data.lanes.is_empty() {
        return Err(format!(
            "{name}: no sample lines (start N length N frac F stack A;B;...)"
        ));
    }
    if !f.png.is_empty() {
        let png = chart::png::render(&data).map_err(|e| e.to_string())?;
        std::fs::write(&f.png, png).map_err(|e| format!("write {}: {e}", f.png))?;
    }
    if !f.svg.is_empty() {
        let svg = chart::svg::render(&data);
        std::fs::write(&f.svg, svg).map_err(|e| format!("write {}: {e}", f.svg))?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let flags: Flags = goflags::parse();
    match run(flags) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("scope_chart: {e}");
            ExitCode::from(1)
        }
    }
}
