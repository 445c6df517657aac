//! Everything the command line prints goes through here ([`outln!`], [`out!`], [`errln!`]),
//! never through `println!`/`eprintln!`, which panic (exit code 101 and a stack trace) when
//! the reader has gone: `icims-namely connection list | head -1`, `history --json | head -c
//! 10`, a closed terminal.
//!
//! A stream whose reader has gone (`BrokenPipe`) is dropped in silence: nothing more is
//! written to it, and the command goes on with its work — a sync is never cut half-way
//! because nobody reads its table — and ends with its usual exit code. Any other write error
//! (a full disk behind `> file`) is said once on standard error, that stream is dropped as
//! well, and a command that would have exited 0 exits 1 ([`lost_output`]): what it printed
//! is not all there. The crate denies `clippy::print_stdout` and `clippy::print_stderr` so that no
//! `println!` comes back.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::fmt;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// Standard output can no longer be written (its reader went away, or it failed).
static STDOUT_GONE: AtomicBool = AtomicBool::new(false);
/// Standard output failed for another reason than its reader leaving: output was lost.
static STDOUT_LOST: AtomicBool = AtomicBool::new(false);
/// Standard error can no longer be written.
static STDERR_GONE: AtomicBool = AtomicBool::new(false);

/// Writes to standard output; see the module documentation.
pub fn stdout(args: fmt::Arguments<'_>) {
    if STDOUT_GONE.load(Ordering::Relaxed) {
        return;
    }
    let mut out = io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.flush()) {
        STDOUT_GONE.store(true, Ordering::Relaxed);
        if e.kind() != io::ErrorKind::BrokenPipe {
            STDOUT_LOST.store(true, Ordering::Relaxed);
            stderr(format_args!(
                "error: could not write to standard output ({e}); the rest of the output is \
                 lost (the command still does its work). Free some space, or write the output \
                 elsewhere.\n"
            ));
        }
    }
}

/// Whether writing standard output failed for another reason than a closed pipe (a full
/// disk): the output is incomplete.
pub fn lost_output() -> bool {
    STDOUT_LOST.load(Ordering::Relaxed)
}

/// Writes to standard error; see the module documentation.
pub fn stderr(args: fmt::Arguments<'_>) {
    if STDERR_GONE.load(Ordering::Relaxed) {
        return;
    }
    let mut err = io::stderr().lock();
    if err.write_fmt(args).and_then(|()| err.flush()).is_err() {
        // Nowhere left to say it.
        STDERR_GONE.store(true, Ordering::Relaxed);
    }
}

/// `println!` that survives a closed standard output.
macro_rules! outln {
    () => {
        $crate::print::stdout(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::print::stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` that survives a closed standard output.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::print::stdout(format_args!($($arg)*))
    };
}

/// `eprintln!` that survives a closed standard error.
macro_rules! errln {
    () => {
        $crate::print::stderr(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::print::stderr(format_args!("{}\n", format_args!($($arg)*)))
    };
}

pub(crate) use {errln, out, outln};
