//! The `docsfy` command: the server and its operator commands.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use docsfy::config::Config;

/// docsfy turns git repositories into documentation websites with AI.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// Config file (TOML); defaults to $DOCSFY_CONFIG, else built-in defaults + environment.
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the server.
    Serve {
        /// Address to listen on (overrides `host` and HOST).
        #[arg(long)]
        host: Option<String>,
        /// Port to listen on, 0 for any free one (overrides `port` and PORT).
        #[arg(long)]
        port: Option<u16>,
    },
    /// Lists the loaded plugins (and any that were skipped, with the reason).
    Plugins {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Prints the effective configuration, secrets redacted.
    Config,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut config = match Config::load(cli.config.as_deref()) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("docsfy: {error}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("docsfy: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve { host, port } => {
                config.host = host.unwrap_or(config.host);
                config.port = port.unwrap_or(config.port);
                docsfy::server::serve(config).await
            }
            Command::Plugins { json } => docsfy::commands::print_plugins(&config, json).await,
            Command::Config => {
                print!("{}", config.redacted_toml());
                Ok(())
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("docsfy: {error:#}");
            ExitCode::FAILURE
        }
    }
}
