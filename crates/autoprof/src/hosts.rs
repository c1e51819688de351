//! `-hosts`: the distinct host names, ordered from the top-level label
//! down (labels compared byte-wise; a name that is a prefix of another in
//! that order comes first).

use std::collections::BTreeSet;

use crate::bundle::Bundle;

/// The distinct host names of `bundles`, in upstream's order.
pub fn hosts(bundles: &[Bundle]) -> Vec<&str> {
    let set: BTreeSet<&str> = bundles.iter().map(|b| b.meta.hostname.as_str()).collect();
    let mut hosts: Vec<&str> = set.into_iter().collect();
    hosts.sort_by_cached_key(|h| h.split('.').rev().collect::<Vec<_>>());
    hosts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::Form;
    use crate::meta::Meta;

    #[test]
    fn reference_order() {
        let names = [
            "web-1.us-east.example.com",
            "localhost",
            "api.example.org",
            "example.com",
            "b.example.com.",
            "db.example.com",
            "Web-3.us-east.example.com",
            "web-2.us-west.example.com",
            "localhost",
        ];
        let bundles: Vec<Bundle> = names
            .iter()
            .map(|h| Bundle {
                rel: "x".into(),
                form: Form::Folder,
                meta: Meta {
                    hostname: h.to_string(),
                    ..Meta::default()
                },
                walk_index: 0,
            })
            .collect();
        assert_eq!(
            hosts(&bundles),
            [
                "b.example.com.",
                "example.com",
                "db.example.com",
                "Web-3.us-east.example.com",
                "web-1.us-east.example.com",
                "web-2.us-west.example.com",
                "localhost",
                "api.example.org",
            ]
        );
    }
}
