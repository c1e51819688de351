//! The PNG chart: lanes are columns, time runs down; red separators whose
//! strength says how different neighbouring stacks are, and a translucent
//! black square per sample, composited exactly as Go's image/draw does.

use super::input::Chart;
use super::{LANE_LENGTH, LANE_WIDTH, MARK_SIZE};
use crate::Error;

/// An opaque RGB canvas.
struct Canvas {
    width: usize,
    height: usize,
    rgb: Vec<u8>,
}

impl Canvas {
    /// Composites colour `src` at `alpha` over the pixels of
    /// [x0, x1) × [y0, y1), clipped to the canvas.
    fn fill(&mut self, (x0, x1, y0, y1): (i64, i64, i64, i64), src: [u8; 3], alpha: u8) {
        let clip = |v: i64, max: usize| v.clamp(0, max as i64) as usize;
        let (x0, x1) = (clip(x0, self.width), clip(x1, self.width));
        let (y0, y1) = (clip(y0, self.height), clip(y1, self.height));
        let ma = u32::from(alpha) * 257;
        let a = 65535 - ma;
        for y in y0..y1 {
            for x in x0..x1 {
                let px = &mut self.rgb[(y * self.width + x) * 3..][..3];
                for (d, s) in px.iter_mut().zip(src) {
                    let out = (u32::from(*d) * 257 * a + u32::from(s) * 257 * ma) / 65535;
                    *d = (out >> 8) as u8;
                }
            }
        }
    }
}

/// The separator's opacity between lanes `i - 1` and `i` (0-based).
fn separator_alpha(
    chart: &Chart,
    weights: &std::collections::HashMap<String, usize>,
    i: usize,
) -> u8 {
    let (lhs, rhs) = (&chart.lanes[i - 1], &chart.lanes[i]);
    let shared = lhs.iter().zip(rhs).take_while(|(a, b)| a == b).count();
    let weight = |s: &[String]| weights.get(&s.join(";")).copied().unwrap_or(0) as f64;
    let keep: f64 = (0..=shared).map(|j| weight(&lhs[..j])).sum();
    let remove: f64 = (shared + 1..=lhs.len()).map(|j| weight(&lhs[..j])).sum();
    let add: f64 = (shared + 1..=rhs.len()).map(|j| weight(&rhs[..j])).sum();
    let (uniq_l, uniq_r) = (lhs.len() - shared, rhs.len() - shared);
    let mut diff = 0.0;
    if uniq_l > 0 {
        diff += remove / uniq_l as f64;
    }
    if uniq_r > 0 {
        diff += add / uniq_r as f64;
    }
    diff /= keep / shared as f64;
    let strength = diff * 255.0;
    // NaN (nothing shared) gives 0: an invisible line, as upstream on amd64.
    if strength > 255.0 {
        255
    } else {
        strength as u8
    }
}

/// Draws the chart and encodes it as an 8-bit RGB PNG. An empty chart
/// (no lanes) is an error, as it is upstream.
pub fn render(chart: &Chart) -> Result<Vec<u8>, Error> {
    if chart.lanes.is_empty() {
        return Err(Error::NoSamples);
    }
    let mut c = Canvas {
        width: LANE_WIDTH * chart.lanes.len(),
        height: LANE_LENGTH,
        rgb: vec![255; LANE_WIDTH * chart.lanes.len() * LANE_LENGTH * 3],
    };
    let weights = chart.prefix_weights();
    let (lw, ll) = (LANE_WIDTH as i64, LANE_LENGTH as i64);
    for i in 1..chart.lanes.len() {
        let x = lw * i as i64;
        c.fill(
            (x, x + 1, 0, ll),
            [255, 0, 0],
            separator_alpha(chart, &weights, i),
        );
    }
    for &(frac, lane) in &chart.samples {
        let cx = lw * (lane as i64 + 1) - lw / 2;
        let cy = (frac * LANE_LENGTH as f64) as i64;
        let rect = (
            cx - MARK_SIZE,
            cx + MARK_SIZE,
            cy - MARK_SIZE,
            cy + MARK_SIZE,
        );
        c.fill(rect, [0, 0, 0], 127);
    }
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, c.width as u32, c.height as u32);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut w = enc.write_header()?;
    w.write_image_data(&c.rgb)?;
    w.finish()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::input::parse;

    #[test]
    fn compositing_matches_go() {
        let mut c = Canvas {
            width: 2,
            height: 1,
            rgb: vec![255; 6],
        };
        c.fill((0, 2, 0, 1), [0, 0, 0], 127);
        assert_eq!(c.rgb, [128; 6]);
        c.fill((0, 1, 0, 1), [0, 0, 0], 127);
        assert_eq!(&c.rgb[..3], [64; 3]);
        c.fill((-5, 9, -5, 9), [255, 0, 0], 0);
        assert_eq!(&c.rgb[3..], [128; 3]);
    }

    #[test]
    fn separator_strength() {
        let chart = parse(
            "start 1 length 2 frac 0.5 stack r;a;b\n\
             start 1 length 2 frac 0.5 stack r;a;c\n\
             start 1 length 2 frac 0.5 stack r;z\n",
        );
        let w = chart.prefix_weights();
        // a;b | a;c: shared 1, keep = w("")+w(a) = 0+2, remove 1, add 1.
        assert_eq!(separator_alpha(&chart, &w, 1), 255);
        // a;c | z: nothing shared.
        assert_eq!(separator_alpha(&chart, &w, 2), 0);
    }
}
