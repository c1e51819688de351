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
