//! etviz's picture: draws each summary as a timeline bar (or, with
//! details, one bar per span of its tree) in two sections, the first on the
//! traces' clock and the second with every tree aligned at its start.
//! Written as a stream of SVG elements in upstream's exact layout.

use crate::ranges::timeline;
use crate::spans::Span;
use crate::vizinput::VizSummary;
use std::fmt::Write;

const WIDTH: i64 = 1000;
const BAR_HEIGHT: i64 = 5;
const GAP: i64 = 2;
const SECTION_GAP: i64 = 10;
const SECTION_FOOTER: i64 = 50;
const TEXT_DX: i64 = 2;
const TEXT_DY: i64 = BAR_HEIGHT - 1;
const TEXT_SIZE: &str = "4pt";
const TEXT_COLOR: &str = "grey";
const SEPARATOR: &str = "lightgrey";
const BUG: &str = "magenta";
const RUNNING: &str = "black";

/// The colour of an assist reason.
fn assist_fill(reason: &str) -> &'static str {
    match reason {
        "gc" => "chartreuse",
        _ => BUG,
    }
}

/// The colour of a wait reason.
fn wait_fill(reason: &str) -> &'static str {
    match reason {
        "net" => "yellow",
        "cpu" => "silver",
        "gc" => "lawngreen",
        "block" | "cond" | "sync" | "recv" | "select" | "send" => "violet",
        "syscall" => "darkgreen",
        _ => BUG,
    }
}

/// Appends `s` escaped as Go's `xml.Escape` does.
fn escape(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{fffd}'),
        }
    }
}

fn is_xml_char(c: char) -> bool {
    matches!(c as u32, 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

fn ms(ns: i64) -> String {
    format!("{:.6}", ns as f64 / 1e6)
}

/// The drawing state: the current row and the horizontal scale.
struct Canvas {
    out: String,
    y: i64,
    width_ns: i64,
}

impl Canvas {
    fn rect(&mut self, x: i64, y: i64, w: i64, h: i64, fill: &str) {
        let _ = writeln!(
            self.out,
            r#"<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill}" />"#
        );
    }

    /// Draws a bar; returns its x (drawn or not).
    fn bar(&mut self, offset: i64, length: i64, min_width: i64, fill: &str) -> i64 {
        let x = WIDTH * offset / self.width_ns;
        let w = (WIDTH * (offset + length) / self.width_ns - x).max(min_width);
        if w > 0 && x < WIDTH {
            self.rect(x, self.y, w, BAR_HEIGHT, fill);
        }
        x
    }

    /// One row: the span's bar, its run/assist/wait bars and its label.
    fn row(&mut self, x0: i64, span: &Span, label: &str) {
        let offset = span.start_ns - x0;
        let x = self.bar(offset, span.length_ns, 1, BUG);
        let Ok(tl) = timeline(span) else {
            return;
        };
        for r in &tl.running {
            self.bar(offset + r[0], r[1] - r[0], 1, RUNNING);
        }
        for (reason, list) in &tl.assisting {
            for r in list {
                self.bar(offset + r[0], r[1] - r[0], 0, assist_fill(reason));
            }
        }
        for (reason, list) in &tl.waiting {
            for r in list {
                self.bar(offset + r[0], r[1] - r[0], 0, wait_fill(reason));
            }
        }
        let (anchor, sign) = if x > WIDTH / 2 {
            (r#"text-anchor="end" "#, -1)
        } else {
            ("", 1)
        };
        let x = x.min(WIDTH);
        let _ = write!(
            self.out,
            r#"<text x="{}" y="{}" font-size="{TEXT_SIZE}" fill="{TEXT_COLOR}" {anchor}>"#,
            x + TEXT_DX * sign,
            self.y + TEXT_DY
        );
        escape(&mut self.out, label);
        self.out.push_str("</text>\n");
    }

    /// One section: every summary's rows, placed by `origin`.
    fn section(
        &mut self,
        sums: &[&VizSummary],
        details: bool,
        origin: impl Fn(&VizSummary) -> i64,
    ) {
        for s in sums {
            let x0 = origin(s);
            if !details {
                let label = format!(
                    "g={} @{}ms / {}ms / on CPU {}ms {}",
                    s.flat.g,
                    ms(s.flat.start_ns),
                    ms(s.length_ns),
                    ms(s.total_run_ns),
                    s.flat.kind
                );
                self.row(x0, &s.flat, &label);
                self.y += BAR_HEIGHT;
                continue;
            }
            s.root.visit(&mut |span| {
                let label = if std::ptr::eq(span, &s.root) {
                    format!(
                        "g={} @{}ms / {}ms {}",
                        span.g,
                        ms(span.start_ns),
                        ms(span.length_ns),
                        span.kind
                    )
                } else {
                    format!(
                        "g={} +{}ms / {}ms {}",
                        span.g,
                        ms(span.start_ns - s.root.start_ns),
                        ms(span.length_ns),
                        span.kind
                    )
                };
                self.row(x0, span, &label);
                self.y += BAR_HEIGHT;
            });
            self.rect(0, self.y, WIDTH, GAP, SEPARATOR);
            self.y += GAP;
        }
    }
}

/// Draws the summaries as an SVG document. A zero time width (every span
/// of length zero), where upstream divides by zero, is drawn as 1 ns.
pub fn render(sums: &[VizSummary], details: bool) -> String {
    let mut min_ts = 0;
    let (mut max_ts, mut max_len, mut bars) = (0i64, 0i64, 0i64);
    for (i, s) in sums.iter().enumerate() {
        let sp = if details { &s.root } else { &s.flat };
        if i == 0 || sp.start_ns < min_ts {
            min_ts = sp.start_ns;
        }
        max_ts = max_ts.max(sp.start_ns + sp.length_ns);
        max_len = max_len.max(sp.length_ns);
        if details {
            sp.visit(&mut |_| bars += 1);
        } else {
            bars += 1;
        }
    }
    let section_height = BAR_HEIGHT * bars + GAP * (sums.len() as i64 - 1);
    let height = (section_height + SECTION_FOOTER) * 2 + SECTION_GAP;
    let mut c = Canvas {
        out: String::new(),
        y: 0,
        width_ns: (max_ts - min_ts).max(1),
    };
    let _ = write!(
        c.out,
        "<?xml version=\"1.0\"?>\n<!-- Generated by SVGo -->\n<svg width=\"{WIDTH}\" height=\"{height}\"\n     xmlns=\"http://www.w3.org/2000/svg\"\n     xmlns:xlink=\"http://www.w3.org/1999/xlink\">\n"
    );
    let mut by_start: Vec<&VizSummary> = sums.iter().collect();
    by_start.sort_by_key(|s| s.root.start_ns);
    c.section(&by_start, details, |_| min_ts);
    c.y += SECTION_FOOTER + SECTION_GAP;
    c.width_ns = max_len.max(1);
    c.section(&by_start, details, |s| s.root.start_ns);
    c.out.push_str("</svg>\n");
    c.out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_input_is_an_empty_canvas() {
        let svg = render(&[], false);
        assert!(svg.contains("<svg width=\"1000\" height=\"106\""), "{svg}");
        assert!(svg.ends_with("</svg>\n"));
    }

    #[test]
    fn reference_first_row_and_filtering() {
        let line = r#"{"LengthNs":8443,"TotalRunNs":7901,"TotalAssistNs":{},"FlatRunNs":7901,"FlatAssistNs":{},"FlatWaitNs":{"cpu":542},"Flat":{"G":84,"Kind":"server/http_write","StartNs":15037820,"LengthNs":8443,"StartRun":[0,7286],"StartAssist":{},"StartWait":{"cpu":[7015,8172]},"Caused":null},"Root":{"G":84,"Kind":"server/http_write","StartNs":15037820,"LengthNs":8443,"StartRun":[0,8443],"StartAssist":{},"StartWait":{"cond":[7015],"cpu":[8024]},"Caused":[{"G":78,"Kind":"net/http.(*connReader).backgroundRead","StartNs":15045106,"LengthNs":886,"StartRun":[0],"StartAssist":{},"StartWait":{"cpu":[-665]},"Caused":null}]}}"#;
        let mut sums = crate::vizinput::read_summaries(line).unwrap();
        assert!(sums[0].root.caused.is_empty(), "backgroundRead is filtered");
        // Two more summaries so that the scale is the reference's.
        let mut b = sums[0].clone();
        b.flat.start_ns = 15080158;
        b.root.start_ns = 15080158;
        let mut c = sums[0].clone();
        c.flat.start_ns = 16005230;
        c.root.start_ns = 16005230;
        c.flat.length_ns = 2374451;
        c.root.length_ns = 2374451;
        sums.extend([b, c]);
        let svg = render(&sums, false);
        assert!(svg.contains("height=\"148\""));
        let first = "<rect x=\"0\" y=\"0\" width=\"2\" height=\"5\" fill=\"magenta\" />\n\
<rect x=\"0\" y=\"0\" width=\"2\" height=\"5\" fill=\"black\" />\n\
<rect x=\"2\" y=\"0\" width=\"1\" height=\"5\" fill=\"black\" />\n";
        assert!(svg.contains(first), "{svg}");
        assert!(svg.contains("<text x=\"2\" y=\"4\" font-size=\"4pt\" fill=\"grey\" >g=84 @15.037820ms / 0.008443ms / on CPU 0.007901ms server/http_write</text>\n"));
        assert!(
            svg.contains("<rect x=\"289\" y=\"10\" width=\"711\" height=\"5\" fill=\"magenta\" />")
        );
        assert!(svg.contains(" y=\"75\" "), "section 2 starts at 75");
    }

    #[test]
    fn xml_escaping() {
        let mut s = String::new();
        escape(&mut s, "a<b>&\"'\t\u{1}");
        assert_eq!(s, "a&lt;b&gt;&amp;&#34;&#39;&#x9;\u{fffd}");
    }
}
