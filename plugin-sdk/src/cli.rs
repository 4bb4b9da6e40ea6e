//! Helpers for providers that drive an AI command-line tool through [`host::run`].
//!
//! They turn the host's answers into errors a user can act on: a missing program reads
//! `claude CLI not found on PATH`, a failing one carries the end of what it wrote to stderr,
//! and a slow one says how long it was given.
//!
//! [`host::run`]: crate::host::run

use crate::host::{self, RunOutput, RunRequest};
use crate::{Completion, Error, Usage};

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
    let output = host::run(&request).map_err(|error| explain(program, error))?;
    match output.exit_code {
        // A cut answer would become a wrong page: refuse it rather than guess.
        Some(0) if output.stdout_truncated => Err(Error::Failed(format!(
            "{program}'s output was longer than the server keeps (plugins.output_cap_kb) \
             and was cut"
        ))),
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

/// Checks a model name before it becomes an argument: a name starting with `-` would be read
/// as an option by the CLI.
pub fn model_arg(model: &str) -> Result<&str, Error> {
    let acceptable = !model.is_empty()
        && !model.starts_with('-')
        && model.chars().all(|c| !c.is_whitespace() && !c.is_control());
    if acceptable {
        Ok(model)
    } else {
        Err(Error::InvalidInput(format!(
            "{model:?} is not a valid model name"
        )))
    }
}

/// The answer of a CLI that printed plain text instead of JSON. Empty output, and output
/// that looks like JSON but could not be read, are failures, never a page.
pub fn plain_text(program: &str, stdout: &str) -> Result<Completion, Error> {
    let text = stdout.trim_start();
    if text.trim().is_empty() {
        return Err(Error::Failed(format!("{program} printed nothing")));
    }
    if text.starts_with('{') || text.starts_with('[') {
        return Err(Error::Failed(format!(
            "{program} printed JSON that could not be understood: {}",
            tail(text, ERROR_TAIL_CHARS)
        )));
    }
    Ok(Completion {
        text: stdout.to_string(),
        usage: Usage::default(),
    })
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

/// The host's messages already name the program and the limit it applied; only a missing
/// program is reworded, to the words users search for.
fn explain(program: &str, error: Error) -> Error {
    match error {
        Error::NotFound(message) if message.ends_with("not found on PATH") => {
            Error::NotFound(format!("{program} CLI not found on PATH"))
        }
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
    fn explain_rewords_only_a_missing_program() {
        let missing = explain("claude", Error::NotFound("claude not found on PATH".into()));
        assert!(matches!(&missing, Error::NotFound(m) if m == "claude CLI not found on PATH"));
        let configured = Error::NotFound("claude is configured at /x, which is not...".into());
        assert_eq!(
            explain("claude", configured.clone()).message(),
            configured.message()
        );
        let slow = explain("gemini", Error::Timeout("gemini did not finish".into()));
        assert_eq!(slow.message(), "gemini did not finish");
    }

    #[test]
    fn model_names_cannot_be_options() {
        assert!(model_arg("claude-opus-4-6[1m]").is_ok());
        assert!(model_arg("gpt-5.4-xhigh-fast").is_ok());
        for bad in ["", "--yolo", "-p", "a b", "a\nb"] {
            assert!(
                matches!(model_arg(bad), Err(Error::InvalidInput(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn plain_text_refuses_empty_output_and_unreadable_json() {
        assert_eq!(plain_text("x", "# Page\n").expect("text").text, "# Page\n");
        assert!(plain_text("x", " \n").is_err());
        let error = plain_text("x", "{\"result\": \"cut").expect_err("broken JSON");
        assert!(
            error
                .message()
                .starts_with("x printed JSON that could not be understood")
        );
    }
}
