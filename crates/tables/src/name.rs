//! The file name of an input's tables: the input's name with every byte
//! outside `[A-Za-z0-9._-]` written `~XX` (hex), so that two inputs never
//! share a file, the same input always gets the same one, and no name
//! starts with `.` or `_` (which Spark and Hadoop take for hidden files).
//! A name too long for a file system keeps its start and ends in a hash
//! of the whole.

/// Longest file name written (most file systems allow 255 bytes).
const MAX: usize = 200;

/// `OUT/<table>/<file_name(input)>`.
pub fn file_name(input: &str) -> String {
    let mut s = String::with_capacity(input.len() + 8);
    for (i, &b) in input.as_bytes().iter().enumerate() {
        let plain = b.is_ascii_alphanumeric() || b == b'-' || ((b == b'.' || b == b'_') && i > 0);
        if plain {
            s.push(b as char);
        } else {
            s.push_str(&format!("~{b:02X}"));
        }
    }
    if s.len() > MAX {
        let hash = fnv1a(input.as_bytes());
        s.truncate(MAX - 17);
        s = format!("{s}~{hash:016x}");
    }
    s.push_str(".parquet");
    s
}

/// 64-bit FNV-1a, stable across runs and platforms.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_plain_distinct_and_not_hidden() {
        assert_eq!(
            file_name("testdata/traces/go1.25.trace"),
            "testdata~2Ftraces~2Fgo1.25.trace.parquet"
        );
        assert_eq!(file_name("./b/x.zip"), "~2E~2Fb~2Fx.zip.parquet");
        assert_eq!(file_name("_x"), "~5Fx.parquet");
        assert_eq!(file_name("-"), "-.parquet");
        assert_ne!(file_name("a/b"), file_name("a~2Fb"));
        assert_ne!(file_name("a b"), file_name("a_b"));
    }

    #[test]
    fn long_names_are_cut_and_hashed() {
        let a = "d/".repeat(200) + "a.trace";
        let b = "d/".repeat(200) + "b.trace";
        let (na, nb) = (file_name(&a), file_name(&b));
        assert!(na.len() <= MAX + ".parquet".len());
        assert_ne!(na, nb);
        assert_eq!(na, file_name(&a));
    }
}
