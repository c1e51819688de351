//! The time window of `-from`/`-to`: bounds given as times on the trace's
//! clock, or as offsets from its first event (resolved when that event is
//! read).

/// One end of the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// Nanoseconds on the trace's clock (as etgrep prints event times).
    At(i64),
    /// Nanoseconds after the trace's first event.
    After(i64),
}

impl Bound {
    fn resolve(self, first: i64) -> i64 {
        match self {
            Bound::At(t) => t,
            Bound::After(d) => first.saturating_add(d),
        }
    }
}

/// The window, resolved against the first event's time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window {
    pub from: i64,
    pub to: i64,
}

impl Window {
    /// The window of `from`..`to` in a trace whose first event is at
    /// `first` (unbounded ends are the whole trace).
    pub(crate) fn new(from: Option<Bound>, to: Option<Bound>, first: i64) -> Window {
        Window {
            from: from.map_or(i64::MIN, |b| b.resolve(first)),
            to: to.map_or(i64::MAX, |b| b.resolve(first)),
        }
    }

    /// Whether `t` is inside.
    pub(crate) fn contains(&self, t: i64) -> bool {
        self.from <= t && t <= self.to
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        let w = Window::new(Some(Bound::After(10)), Some(Bound::At(500)), 100);
        assert_eq!((w.from, w.to), (110, 500));
        assert!(w.contains(110) && w.contains(500) && !w.contains(501) && !w.contains(109));
        let all = Window::new(None, None, 7);
        assert!(all.contains(i64::MIN) && all.contains(i64::MAX));
    }
}
