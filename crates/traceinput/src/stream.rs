//! Many inputs whose results are text (etgrep's lines, regiongraph's
//! records): workers write each input's text into a bounded queue of
//! chunks, and the caller's thread copies the queues to the output in
//! argument order. Memory holds a few chunks per worker whatever the size
//! of the outputs; a worker ahead of the output waits for its turn.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Mutex, PoisonError};

use crate::error::Error;
use crate::input::Input;

/// Bytes sent at once.
const CHUNK: usize = 64 << 10;
/// Chunks an input may have written ahead of the output.
const AHEAD: usize = 16;

/// What a worker sends about one input.
enum Msg<R> {
    Text(Vec<u8>),
    Done(Result<R, Error>),
}

/// Runs `work` on every input in parallel (as many workers as rayon has
/// threads, inputs started in argument order), each writing its text to
/// the writer it is given; copies each input's text to `out` in argument
/// order, then gives `done` the input's result (or its expansion error).
/// A write error on `out` stops the run: no new input is started, and the
/// error is returned.
pub fn stream_in_order<R: Send>(
    inputs: Vec<Result<Input, Error>>,
    work: impl Fn(Input, &mut dyn Write) -> R + Sync,
    out: &mut dyn Write,
    mut done: impl FnMut(Result<R, Error>),
) -> io::Result<()> {
    let mut queue = Vec::with_capacity(inputs.len());
    let mut receivers = Vec::with_capacity(inputs.len());
    for input in inputs {
        let (tx, rx) = sync_channel(AHEAD);
        queue.push((input, tx));
        receivers.push(rx);
    }
    let queue = Mutex::new(queue.into_iter());
    let stop = AtomicBool::new(false);
    let workers = rayon::current_num_threads().clamp(1, receivers.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                while !stop.load(Ordering::Relaxed) {
                    let next = queue.lock().unwrap_or_else(PoisonError::into_inner).next();
                    let Some((input, tx)) = next else { break };
                    let r = input.map(|input| {
                        let mut w = Chunks {
                            buf: Vec::new(),
                            tx: &tx,
                        };
                        let r = work(input, &mut w);
                        // A closed queue means the output has failed.
                        let _ = w.flush();
                        r
                    });
                    let _ = tx.send(Msg::Done(r));
                }
            });
        }
        let copied = copy(receivers, out, &mut done);
        if copied.is_err() {
            stop.store(true, Ordering::Relaxed);
        }
        copied
    })
}

/// Copies each input's text to `out` in order. Returning drops every
/// receiver, so workers' writes fail and they stop early.
fn copy<R>(
    receivers: Vec<Receiver<Msg<R>>>,
    out: &mut dyn Write,
    done: &mut impl FnMut(Result<R, Error>),
) -> io::Result<()> {
    for rx in receivers {
        while let Ok(msg) = rx.recv() {
            match msg {
                Msg::Text(t) => out.write_all(&t)?,
                Msg::Done(r) => {
                    done(r);
                    break;
                }
            }
        }
    }
    Ok(())
}

/// A writer that sends its bytes in chunks to the output's queue.
struct Chunks<'a, R> {
    buf: Vec<u8>,
    tx: &'a SyncSender<Msg<R>>,
}

impl<R> Chunks<'_, R> {
    fn send(&mut self) -> io::Result<()> {
        let text = std::mem::take(&mut self.buf);
        self.tx
            .send(Msg::Text(text))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "output closed"))
    }
}

impl<R> Write for Chunks<'_, R> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        self.send()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(n: usize) -> Vec<Result<Input, Error>> {
        let names: Vec<String> = (0..n).map(|i| format!("/nonexistent/{i:03}")).collect();
        crate::expand(&names)
    }

    /// Input `i` writes `i` lines of 10 KiB, later inputs faster.
    fn work(input: Input, w: &mut dyn Write) -> usize {
        let i: usize = input.name()[13..].parse().unwrap();
        std::thread::sleep(std::time::Duration::from_micros(((50 - i) * 100) as u64));
        for _ in 0..i {
            if w.write_all(&[b'a' + (i % 26) as u8; 10 << 10]).is_err() {
                break; // the output has failed
            }
        }
        i
    }

    #[test]
    fn text_comes_in_argument_order_whole() {
        let mut out = Vec::new();
        let mut done = Vec::new();
        stream_in_order(inputs(50), work, &mut out, |r| done.push(r.unwrap())).unwrap();
        assert_eq!(done, (0..50).collect::<Vec<_>>());
        let mut want = Vec::new();
        for i in 0..50 {
            want.extend(std::iter::repeat_n(b'a' + (i % 26) as u8, i * (10 << 10)));
        }
        assert!(out == want);
    }

    /// Fails after `left` bytes.
    struct Failing {
        left: usize,
    }

    impl Write for Failing {
        fn write(&mut self, data: &[u8]) -> io::Result<usize> {
            if self.left < data.len() {
                return Err(io::Error::other("full"));
            }
            self.left -= data.len();
            Ok(data.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_write_error_stops_the_run() {
        let mut out = Failing { left: 1 << 20 };
        let mut count = 0;
        let r = stream_in_order(inputs(50), work, &mut out, |_| count += 1);
        assert_eq!(r.unwrap_err().to_string(), "full");
        assert!(count < 50, "{count}");
    }
}
