//! The command-line client: docsfy's commands, talking to a docsfy server over HTTP and the
//! WebSocket, with server profiles in `~/.config/docsfy/config.toml`.

mod admin;
pub mod args;
mod config_cmd;
mod download;
mod error;
mod generate;
mod http;
mod output;
mod profile;
mod projects;
mod prompt;
mod watch;

use std::process::ExitCode;

pub use args::{ClientCommand, Connection};
pub use error::CliError;

/// Runs one client command; errors go to stderr as the server (or the client) said them.
pub async fn run(connection: Connection, command: ClientCommand) -> ExitCode {
    match dispatch(connection, command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{}", error.message);
            ExitCode::from(error.code)
        }
    }
}

async fn dispatch(connection: Connection, command: ClientCommand) -> error::CliResult {
    let file = profile::config_file();
    let api = || -> Result<http::Api, CliError> {
        let table = profile::load(&file)?;
        http::Api::new(profile::resolve(&connection, &table)?)
    };
    match command {
        ClientCommand::Config(command) => match command {
            args::ConfigCommand::Init {
                name,
                url,
                username,
                password,
            } => config_cmd::init(
                &file,
                config_cmd::InitAnswers {
                    name,
                    url,
                    username,
                    password,
                },
            ),
            args::ConfigCommand::Show => config_cmd::show(&file),
            args::ConfigCommand::Set { key, value } => config_cmd::set(&file, &key, &value),
        },
        ClientCommand::Completions { shell } => {
            completions(shell);
            Ok(())
        }
        ClientCommand::Generate(args) => generate::generate(&api()?, args).await,
        ClientCommand::List {
            status,
            provider,
            json,
        } => projects::list(&api()?, status.as_deref(), provider.as_deref(), json).await,
        ClientCommand::Status { selector, json } => {
            projects::status(&api()?, &selector, json).await
        }
        ClientCommand::Delete { selector, all, yes } => {
            projects::delete(&api()?, &selector, all, yes).await
        }
        ClientCommand::Abort { selector } => projects::abort(&api()?, &selector).await,
        ClientCommand::Download {
            selector,
            output,
            flatten,
            format,
        } => {
            let wanted = download::Wanted {
                output: output.as_deref(),
                flatten,
                format: format.as_deref(),
            };
            download::download(&api()?, &selector, wanted).await
        }
        ClientCommand::Models { provider, json } => {
            projects::models(&api()?, provider.as_deref(), json).await
        }
        ClientCommand::Health => projects::health(&api()?).await,
        ClientCommand::Whoami { json } => projects::whoami(&api()?, json).await,
        ClientCommand::RotateKey { new_key, json } => {
            projects::rotate_own_key(&api()?, new_key.as_deref(), json).await
        }
        ClientCommand::Admin(args::AdminCommand::Users(command)) => {
            admin::users(&api()?, command).await
        }
        ClientCommand::Admin(args::AdminCommand::Access(command)) => {
            admin::access(&api()?, command).await
        }
    }
}

/// The completion script of the whole `docsfy` command, server commands included.
fn completions(shell: clap_complete::Shell) {
    let mut command = crate::command_line::command();
    clap_complete::generate(shell, &mut command, "docsfy", &mut std::io::stdout());
}
