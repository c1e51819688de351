//! The PNG chart: lanes are columns, time runs down; red separators whose
//! strength says how different neighbouring stacks are, and a translucent
//! black square per sample, composited exactly as Go's image/draw does.
//! The picture is drawn and encoded one row at a time, so memory stays at
//! one row of pixels however many lanes there are.

use std::io::Write;

use super::input::Chart;
use super::prefixes::Prefixes;
use super::{LANE_LENGTH, LANE_WIDTH, MARK_SIZE};
use crate::Error;

/// The widest picture PNG allows, in lanes.
pub const MAX_LANES: usize = (i32::MAX as usize) / LANE_WIDTH;

/// A band of rows `[top, top + height)` of an opaque RGB canvas.
struct Canvas {
    width: usize,
    top: usize,
    height: usize,
    rgb: Vec<u8>,
}

impl Canvas {
    /// Composites colour `src` at `alpha` over the pixels of
    /// [x0, x1) × [y0, y1), clipped to the band.
    fn fill(&mut self, (x0, x1, y0, y1): (i64, i64, i64, i64), src: [u8; 3], alpha: u8) {
        let clip = |v: i64, lo: usize, hi: usize| v.clamp(lo as i64, hi as i64) as usize;
        let (x0, x1) = (clip(x0, 0, self.width), clip(x1, 0, self.width));
        let bottom = self.top + self.height;
        let (y0, y1) = (clip(y0, self.top, bottom), clip(y1, self.top, bottom));
        let ma = u32::from(alpha) * 257;
        let a = 65535 - ma;
        for y in y0..y1 {
            for x in x0..x1 {
                let px = &mut self.rgb[((y - self.top) * self.width + x) * 3..][..3];
                for (d, s) in px.iter_mut().zip(src) {
                    let out = (u32::from(*d) * 257 * a + u32::from(s) * 257 * ma) / 65535;
                    *d = (out >> 8) as u8;
                }
            }
        }
    }
}

/// The separator's opacity between lanes `i - 1` and `i` (0-based).
fn separator_alpha(chart: &Chart, prefixes: &Prefixes, i: usize) -> u8 {
    let (lhs, rhs) = (&chart.lanes[i - 1], &chart.lanes[i]);
    let shared = lhs.iter().zip(rhs).take_while(|(a, b)| a == b).count();
    let weight = |lane: usize, len: usize| prefixes.weight(lane, len) as f64;
    let keep: f64 = (0..=shared).map(|j| weight(i - 1, j)).sum();
    let remove: f64 = (shared + 1..=lhs.len()).map(|j| weight(i - 1, j)).sum();
    let add: f64 = (shared + 1..=rhs.len()).map(|j| weight(i, j)).sum();
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

/// A sample's mark: its square, as (x0, x1, y0, y1). Computed as upstream
/// does on amd64: a fraction that is NaN or far out of range lands at
/// `i64::MIN`, and the square's edges wrap, so it is empty (never drawn).
fn mark(frac: f64, lane: usize) -> (i64, i64, i64, i64) {
    let lw = LANE_WIDTH as i64;
    let cx = lw * (lane as i64 + 1) - lw / 2;
    let cy = gocompat::math::int(frac * LANE_LENGTH as f64);
    (
        cx - MARK_SIZE,
        cx + MARK_SIZE,
        cy.wrapping_sub(MARK_SIZE),
        cy.wrapping_add(MARK_SIZE),
    )
}

/// Draws the chart and encodes it as an 8-bit RGB PNG, row by row. An
/// empty chart (no lanes) is an error, as it is upstream, and so is one
/// wider than PNG allows ([`MAX_LANES`]).
pub fn render(chart: &Chart) -> Result<Vec<u8>, Error> {
    let lanes = chart.lanes.len();
    if lanes == 0 {
        return Err(Error::NoSamples);
    }
    if lanes > MAX_LANES {
        return Err(Error::TooManyLanes {
            lanes,
            max: MAX_LANES,
        });
    }
    let prefixes = Prefixes::new(chart);
    let separators: Vec<u8> = (1..lanes)
        .map(|i| separator_alpha(chart, &prefixes, i))
        .collect();
    drop(prefixes);
    // The samples whose marks cover each row, in drawing order.
    let mut rows: Vec<Vec<u32>> = vec![Vec::new(); LANE_LENGTH];
    for (k, &(frac, lane)) in chart.samples.iter().enumerate() {
        let (_, _, y0, y1) = mark(frac, lane);
        if y0 >= y1 {
            continue;
        }
        let clip = |v: i64| v.clamp(0, LANE_LENGTH as i64) as usize;
        for row in &mut rows[clip(y0)..clip(y1)] {
            row.push(k as u32);
        }
    }
    let width = LANE_WIDTH * lanes;
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, width as u32, LANE_LENGTH as u32);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut w = enc.write_header()?;
    let mut stream = w.stream_writer()?;
    let mut c = Canvas {
        width,
        top: 0,
        height: 1,
        rgb: vec![255; width * 3],
    };
    let ll = LANE_LENGTH as i64;
    for (y, marks) in rows.iter().enumerate() {
        c.top = y;
        c.rgb.fill(255);
        for (i, &alpha) in separators.iter().enumerate() {
            let x = (LANE_WIDTH * (i + 1)) as i64;
            c.fill((x, x + 1, 0, ll), [255, 0, 0], alpha);
        }
        for &k in marks {
            let (frac, lane) = chart.samples[k as usize];
            c.fill(mark(frac, lane), [0, 0, 0], 127);
        }
        stream.write_all(&c.rgb).map_err(png::EncodingError::from)?;
    }
    stream.finish()?;
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
            top: 0,
            height: 1,
            rgb: vec![255; 6],
        };
        c.fill((0, 2, 0, 1), [0, 0, 0], 127);
        assert_eq!(c.rgb, [128; 6]);
        c.fill((0, 1, 0, 1), [0, 0, 0], 127);
        assert_eq!(&c.rgb[..3], [64; 3]);
        c.fill((-5, 9, -5, 9), [255, 0, 0], 0);
        assert_eq!(&c.rgb[3..], [128; 3]);
        // A band further down: rows outside it are clipped.
        c.top = 5;
        c.fill((0, 2, 0, 5), [0, 0, 0], 255);
        assert_eq!(&c.rgb[3..], [128; 3]);
        c.fill((1, 2, 5, 6), [0, 0, 0], 255);
        assert_eq!(&c.rgb[3..], [0; 3]);
    }

    #[test]
    fn marks_far_out_of_range_are_not_drawn() {
        // Found by fuzzing: an infinite fraction made the mark's rows
        // run backwards and the row index panic.
        let lanes = vec![vec!["a".to_string()], vec!["b".to_string()]];
        let plain = Chart {
            lanes: lanes.clone(),
            samples: vec![(0.5, 0)],
        };
        let mut odd = plain.samples.clone();
        for f in [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e300,
            -1e300,
            1e16,
            -1e16,
        ] {
            odd.push((f, 1));
        }
        let odd = Chart {
            lanes,
            samples: odd,
        };
        assert_eq!(render(&odd).unwrap(), render(&plain).unwrap());
    }

    #[test]
    fn separator_strength() {
        let chart = parse(
            "start 1 length 2 frac 0.5 stack r;a;b\n\
             start 1 length 2 frac 0.5 stack r;a;c\n\
             start 1 length 2 frac 0.5 stack r;z\n",
        )
        .unwrap();
        let p = Prefixes::new(&chart);
        // a;b | a;c: shared 1, keep = w("")+w(a) = 0+2, remove 1, add 1.
        assert_eq!(separator_alpha(&chart, &p, 1), 255);
        // a;c | z: nothing shared.
        assert_eq!(separator_alpha(&chart, &p, 2), 0);
    }
}
