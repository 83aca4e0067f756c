//! Standard output for every subcommand that prints. A reader that stops early
//! (`qantar-bot links | head`) closes the pipe: what is left goes unwritten, quietly, and
//! the command's own exit status stands, as with any Unix filter. `println!` panics
//! there instead, since Rust ignores SIGPIPE and a write to a closed pipe fails. Any
//! other write error (a full disk under `> file`) is said once on stderr and fails the
//! command, so a cut-short file is never taken for the whole.

use std::io::{ErrorKind, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU8, Ordering};

const OPEN: u8 = 0;
/// The reader went away: nothing more is written, and that is no failure.
const CLOSED: u8 = 1;
/// A write failed otherwise: nothing more is written, and the command fails.
const FAILED: u8 = 2;

/// One process, one standard output: its state is the process's.
static STATE: AtomicU8 = AtomicU8::new(OPEN);

/// Writes `text` and a newline.
pub fn line(text: &str) {
    write(|out| writeln!(out, "{text}"));
}

/// Writes `text` with no newline and flushes it: a question before reading the answer.
pub fn prompt(text: &str) {
    write(|out| write!(out, "{text}").and_then(|()| out.flush()));
}

/// The exit status of a subcommand that returned `code`: its own, unless its output
/// could not be written (a closed pipe aside).
pub fn finish(code: ExitCode) -> ExitCode {
    write(|out| out.flush());
    match STATE.load(Ordering::Relaxed) {
        FAILED => ExitCode::FAILURE,
        _ => code,
    }
}

fn write(f: impl FnOnce(&mut std::io::StdoutLock<'static>) -> std::io::Result<()>) {
    if STATE.load(Ordering::Relaxed) != OPEN {
        return;
    }
    let mut out = std::io::stdout().lock();
    match f(&mut out) {
        Ok(()) => {}
        Err(e) if e.kind() == ErrorKind::BrokenPipe => STATE.store(CLOSED, Ordering::Relaxed),
        Err(e) => {
            STATE.store(FAILED, Ordering::Relaxed);
            // stderr may be gone too; nothing is left to tell then.
            let _ = writeln!(std::io::stderr(), "cannot write the output: {e}");
        }
    }
}
