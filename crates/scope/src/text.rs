//! scope_tls's text lines: one per sample,
//! `start <ns> length <ns> frac <f> stack <root;...;leaf>`.

use crate::region::Instance;
use std::io::{self, Write};

/// Writes one line per sample of each instance, in order.
pub fn write_lines<W: Write>(out: &mut W, instances: &[Instance]) -> io::Result<()> {
    for inst in instances {
        for s in &inst.samples {
            write!(
                out,
                "start {} length {} frac {:.6} stack ",
                inst.start,
                inst.length,
                inst.frac(s)
            )?;
            for (i, f) in s.frames.iter().rev().enumerate() {
                if i > 0 {
                    out.write_all(b";")?;
                }
                out.write_all(f.func.as_bytes())?;
            }
            out.write_all(b"\n")?;
        }
    }
    Ok(())
}
