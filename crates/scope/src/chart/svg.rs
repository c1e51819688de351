//! The SVG chart, written as upstream's scope_chart writes it with SVGo:
//! lanes are rows, time runs left to right, each row titled with its stack
//! and labelled with its first and last frames.

use super::input::Chart;
use super::{LANE_LENGTH, LANE_WIDTH, MARK_SIZE};
use regions::svg::{escape, start_document};
use std::fmt::Write;

/// Frames shown at each end of a row's label.
const FRAME_LIMIT: usize = 5;
const TEXT_FILL: &str = "#AAAAAA";
const TEXT_SIZE: &str = "10px";
const BORDER: usize = 5;

/// A row's labels: the first frames, and (for long stacks) the last ones.
fn labels(stack: &[String]) -> (String, String) {
    if stack.len() <= FRAME_LIMIT {
        return (stack.join(";"), String::new());
    }
    let start = stack[..FRAME_LIMIT].join(";") + " ...";
    let mut rest = &stack[FRAME_LIMIT..];
    let mut end = String::from("... ");
    if rest.len() > FRAME_LIMIT {
        let _ = write!(end, "[skip {}] ... ", rest.len() - FRAME_LIMIT);
        rest = &rest[rest.len() - FRAME_LIMIT..];
    }
    end += &rest.join(";");
    (start, end)
}

/// Writes the chart as SVG text.
pub fn render(chart: &Chart) -> String {
    let mut s = String::new();
    let height = LANE_WIDTH * chart.lanes.len() + 2 * BORDER;
    start_document(&mut s, LANE_LENGTH + 2 * BORDER, height);
    let _ = writeln!(s, "<g transform=\"translate({BORDER},{BORDER})\">");
    let text_attrs =
        format!("alignment-baseline=\"middle\" font-size=\"{TEXT_SIZE}\" fill=\"{TEXT_FILL}\"");
    // Each lane's samples in chart order (one pass, not one per lane).
    let mut by_lane: Vec<Vec<f64>> = vec![Vec::new(); chart.lanes.len()];
    for &(frac, lane) in &chart.samples {
        by_lane[lane].push(frac);
    }
    for (i, (stack, fracs)) in chart.lanes.iter().zip(&by_lane).enumerate() {
        let _ = writeln!(s, "<g transform=\"translate(0,{})\">", LANE_WIDTH * i);
        s.push_str("<title>");
        escape(&mut s, &stack.join("\n"));
        s.push_str("</title>\n");
        let _ = writeln!(
            s,
            "<rect x=\"0\" y=\"0\" width=\"{LANE_LENGTH}\" height=\"{LANE_WIDTH}\" opacity=\"0\" />"
        );
        for &frac in fracs {
            // As upstream on amd64: NaN or out of range is i64::MIN, and
            // the subtraction wraps.
            let x = gocompat::math::int(LANE_LENGTH as f64 * frac).wrapping_sub(MARK_SIZE);
            let _ = writeln!(
                s,
                "<rect x=\"{x}\" y=\"{MARK_SIZE}\" width=\"{}\" height=\"{}\" opacity=\"0.500000\" />",
                2 * MARK_SIZE,
                2 * MARK_SIZE
            );
        }
        let (start, end) = labels(stack);
        let _ = write!(s, "<text x=\"0\" y=\"{}\" {text_attrs} >", LANE_WIDTH / 3);
        escape(&mut s, &start);
        s.push_str("</text>\n");
        if !end.is_empty() {
            let _ = write!(
                s,
                "<text x=\"{LANE_LENGTH}\" y=\"{}\" {text_attrs} text-anchor=\"end\" >",
                LANE_WIDTH - LANE_WIDTH / 3
            );
            escape(&mut s, &end);
            s.push_str("</text>\n");
        }
        s.push_str("</g>\n");
    }
    s.push_str("</g>\n</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_far_out_of_range_land_where_upstreams_do() {
        // Upstream's int() of NaN or of a value out of range is i64::MIN
        // on amd64, and subtracting the mark's half-size wraps.
        let chart = Chart {
            lanes: vec![vec!["a".to_string()]],
            samples: vec![(f64::NAN, 0), (f64::NEG_INFINITY, 0), (0.25, 0)],
        };
        let svg = render(&chart);
        assert_eq!(
            svg.matches("<rect x=\"9223372036854775800\" y=\"8\"")
                .count(),
            2
        );
        assert_eq!(svg.matches("<rect x=\"192\" y=\"8\"").count(), 1);
    }

    #[test]
    fn long_stacks_are_shortened() {
        let st = |n: usize| (0..n).map(|i| format!("f{i}")).collect::<Vec<_>>();
        assert_eq!(labels(&st(3)), ("f0;f1;f2".into(), String::new()));
        assert_eq!(
            labels(&st(8)),
            ("f0;f1;f2;f3;f4 ...".into(), "... f5;f6;f7".into())
        );
        assert_eq!(labels(&st(13)).1, "... [skip 3] ... f8;f9;f10;f11;f12");
    }
}
