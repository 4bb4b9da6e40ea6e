//! Helpers for providers that drive an AI command-line tool through [`host::run`].
//!
//! They turn the host's answers into errors a user can act on: a missing program reads
//! `claude CLI not found on PATH`, a failing one carries the end of what it wrote to stderr,
//! and a slow one says how long it was given.
//!
//! [`host::run`]: crate::host::run

use crate::Error;
use crate::host::{self, RunOutput, RunRequest};

/// How much of a failing program's output an error message quotes, in characters.
pub const ERROR_TAIL_CHARS: usize = 2000;

/// How long [`probe`] gives a program to answer, in seconds.
pub const PROBE_TIMEOUT_SECS: u32 = 30;

/// Runs `program` with `args`, writes `stdin` to it, and returns its output when it exits 0.
///
/// A non-zero exit, a death by signal, a missing program and a timeout each become an
/// [`Error`] whose message names the program and quotes the end of its output.
pub fn run(
    program: &str,
    args: &[String],
    stdin: &str,
    timeout_secs: u32,
) -> Result<RunOutput, Error> {
    let request = RunRequest {
        program: program.to_string(),
        args: args.to_vec(),
        stdin: stdin.to_string(),
        timeout_ms: u64::from(timeout_secs) * 1000,
    };
    let output = host::run(&request).map_err(|error| explain(program, timeout_secs, error))?;
    match output.exit_code {
        Some(0) => Ok(output),
        Some(code) => Err(Error::Failed(format!(
            "{program} exited with code {code}: {}",
            failure_text(&output)
        ))),
        None => Err(Error::Failed(format!(
            "{program} was killed by a signal: {}",
            failure_text(&output)
        ))),
    }
}

/// Checks that `program` is installed and answers, by running it with `args`
/// (typically `--version`).
pub fn probe(program: &str, args: &[&str]) -> Result<(), Error> {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    run(program, &args, "", PROBE_TIMEOUT_SECS).map(|_| ())
}

/// The last `max_chars` characters of `text`, trimmed, with `…` in front when it was cut.
pub fn tail(text: &str, max_chars: usize) -> String {
    let trimmed = text.trim();
    let count = trimmed.chars().count();
    if count <= max_chars {
        return trimmed.to_string();
    }
    let skipped: String = trimmed.chars().skip(count - max_chars).collect();
    format!("…{skipped}")
}

/// What to quote from a failed run: stderr if it said anything, otherwise stdout.
fn failure_text(output: &RunOutput) -> String {
    let source = if output.stderr.trim().is_empty() {
        &output.stdout
    } else {
        &output.stderr
    };
    let text = tail(source, ERROR_TAIL_CHARS);
    if text.is_empty() {
        "(no output)".to_string()
    } else {
        text
    }
}

fn explain(program: &str, timeout_secs: u32, error: Error) -> Error {
    match error {
        Error::NotFound(_) => Error::NotFound(format!("{program} CLI not found on PATH")),
        Error::Timeout(_) => Error::Timeout(format!(
            "{program} CLI did not finish within {timeout_secs} s and was stopped"
        )),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_keeps_short_text_and_marks_cut_text() {
        assert_eq!(tail("  short \n", 10), "short");
        assert_eq!(tail("abcdefghij", 4), "…ghij");
        assert_eq!(tail("ééééé", 2), "…éé");
    }

    #[test]
    fn failure_text_prefers_stderr_then_stdout() {
        let mut output = RunOutput {
            exit_code: Some(1),
            stdout: "out".into(),
            stderr: "err".into(),
            stdout_truncated: false,
            stderr_truncated: false,
        };
        assert_eq!(failure_text(&output), "err");
        output.stderr = " \n".into();
        assert_eq!(failure_text(&output), "out");
        output.stdout = String::new();
        assert_eq!(failure_text(&output), "(no output)");
    }

    #[test]
    fn explain_names_the_program() {
        let missing = explain("claude", 5, Error::NotFound("x".into()));
        assert!(matches!(&missing, Error::NotFound(m) if m == "claude CLI not found on PATH"));
        let slow = explain("gemini", 5, Error::Timeout("x".into()));
        assert!(slow.message().contains("within 5 s"), "{slow}");
    }
}
