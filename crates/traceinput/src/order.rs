//! Many inputs, processed in parallel a group at a time and handed on in
//! argument order, so output is deterministic whatever the thread count
//! and memory holds one group's results.

use rayon::prelude::*;

use crate::error::Error;
use crate::input::Input;

/// Runs `work` on every input in parallel, a few at a time, and gives
/// each result (or the input's expansion error) to `emit` in order. Each
/// input is dropped, and its file closed, once `work` is done with it.
/// Stops at the first error `emit` returns, and returns it.
pub fn in_order<T: Send, E>(
    inputs: Vec<Result<Input, Error>>,
    work: impl Fn(Input) -> T + Sync,
    mut emit: impl FnMut(Result<T, Error>) -> Result<(), E>,
) -> Result<(), E> {
    let group = rayon::current_num_threads().max(1) * 2;
    let mut inputs = inputs.into_iter().peekable();
    while inputs.peek().is_some() {
        let chunk: Vec<Result<Input, Error>> = inputs.by_ref().take(group).collect();
        let results: Vec<Result<T, Error>> = chunk.into_par_iter().map(|i| i.map(&work)).collect();
        for r in results {
            emit(r)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_argument_order_and_emit_can_stop() {
        let names: Vec<String> = (0..40).map(|i| format!("/nonexistent/{i:02}")).collect();
        let work = |input: Input| {
            // Later inputs finish first.
            let i: u64 = input.name()[13..].parse().unwrap();
            std::thread::sleep(std::time::Duration::from_micros((40 - i) * 50));
            input.name().to_owned()
        };
        let mut seen = Vec::new();
        let r: Result<(), ()> = in_order(crate::expand(&names), work, |r| {
            seen.push(r.unwrap());
            Ok(())
        });
        assert!(r.is_ok());
        assert_eq!(seen, names);
        let mut count = 0;
        let r = in_order(crate::expand(&names), work, |_| {
            count += 1;
            if count == 3 { Err("stop") } else { Ok(()) }
        });
        assert_eq!((r, count), (Err("stop"), 3));
    }
}
