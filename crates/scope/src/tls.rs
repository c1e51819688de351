//! scope_tls's built-in region: a TLS client handshake, TLS 1.2 and 1.3.

use crate::region::{RegionSpec, StartAt};
use analysis::eventmatch::EventMatcher;

/// The start: the client blocks on the network while reading a handshake
/// message (for TLS 1.3, waiting for the ServerHello flight). The instance
/// begins when that data arrives.
pub const START: &[&str] =
    &[r#"GoBlockNet "**" "^crypto/tls...Conn..readHandshake$" "**" "^net...conn..Read$" "**""#];

/// The end: TLS 1.2 reads the server's Finished message (upstream's only
/// pattern); TLS 1.3 writes the client's final flight (the flush called by
/// the TLS 1.3 client state machine).
pub const END: &[&str] = &[
    r#"GoSysCall "**" "^crypto/tls...clientHandshakeState..readFinished$" "**" "^net...conn..Read$" "**""#,
    r#"GoBlockNet "**" "^crypto/tls...clientHandshakeState..readFinished$" "**" "^net...conn..Read$" "**""#,
    r#"GoSysCall "**" "^crypto/tls...clientHandshakeStateTLS13..handshake$" "^crypto/tls...Conn..flush$" "**""#,
    r#"GoBlockNet "**" "^crypto/tls...clientHandshakeStateTLS13..handshake$" "^crypto/tls...Conn..flush$" "**""#,
];

/// The TLS client handshake as a region.
pub fn handshake() -> RegionSpec {
    let parse = |specs: &[&str]| {
        specs
            .iter()
            .map(|s| EventMatcher::parse(s).expect("built-in pattern"))
            .collect()
    };
    RegionSpec {
        start: parse(START),
        end: parse(END),
        start_at: StartAt::Resume,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn patterns_parse() {
        let spec = super::handshake();
        assert_eq!(spec.start.len(), 1);
        assert_eq!(spec.end.len(), 4);
    }
}
