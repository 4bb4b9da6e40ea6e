//! Questions at the terminal: yes/no confirmations and the `config init` prompts.

use std::io::{BufRead as _, Write as _};

use super::error::CliError;

fn read_line() -> Result<String, CliError> {
    let mut line = String::new();
    let read = std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::message(format!("Error: cannot read the answer: {e}")))?;
    if read == 0 {
        // End of input at a prompt, as docsfy treats it.
        return Err(CliError::message("\nAborted."));
    }
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// `question [y/N]: `; anything but y/yes is no; asks again on other words.
pub fn confirm(question: &str) -> Result<bool, CliError> {
    loop {
        print!("{question} [y/N]: ");
        let _ = std::io::stdout().flush();
        match read_line()?.trim().to_ascii_lowercase().as_str() {
            "y" | "yes" => return Ok(true),
            "" | "n" | "no" => return Ok(false),
            _ => eprintln!("Error: invalid input"),
        }
    }
}

/// `question [default]: ` (or `question: `); an empty answer takes the default, or asks
/// again when there is none.
pub fn ask(question: &str, default: Option<&str>) -> Result<String, CliError> {
    loop {
        match default {
            Some(default) => print!("{question} [{default}]: "),
            None => print!("{question}: "),
        }
        let _ = std::io::stdout().flush();
        let answer = read_line()?;
        match (answer.trim(), default) {
            ("", Some(default)) => return Ok(default.to_string()),
            ("", None) => continue,
            (answer, _) => return Ok(answer.to_string()),
        }
    }
}

/// A secret, not echoed when the input is a terminal.
pub fn ask_secret(question: &str) -> Result<String, CliError> {
    use std::io::IsTerminal as _;
    if !std::io::stdin().is_terminal() {
        return ask(question, None);
    }
    loop {
        let answer = rpassword::prompt_password(format!("{question}: "))
            .map_err(|e| CliError::message(format!("Error: cannot read the answer: {e}")))?;
        if !answer.is_empty() {
            return Ok(answer);
        }
    }
}
