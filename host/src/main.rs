//! The `docsfy` command: the server, its operator commands, and the client.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser as _;
use docsfy::command_line::{Cli, Command, PluginCommand, ServerCommand, ServerConfig};
use docsfy::config::Config;

/// jemalloc hands freed memory back to the system (its background thread purges what stays
/// unused); glibc's allocator keeps it in per-thread arenas, so a server that has run a
/// generation would keep its peak.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("docsfy: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let server_config = |config: &ServerConfig| Config::load(config.file.as_deref());
    let result = runtime.block_on(async {
        match cli.command {
            Command::Client(command) => return Ok(docsfy::cli::run(cli.connection, command).await),
            Command::Serve {
                host,
                port,
                config: file,
            } => {
                let mut config = server_config(&file)?;
                docsfy::plugins::precompile::fill_cache_in_child(&config, file.file.as_deref());
                config.host = host.unwrap_or(config.host);
                config.port = port.unwrap_or(config.port);
                docsfy::server::serve(config).await.map_err(Failure::Run)?;
            }
            Command::Plugins { json, config } => {
                let config = server_config(&config)?;
                docsfy::commands::print_plugins(&config, json)
                    .await
                    .map_err(Failure::Run)?;
            }
            Command::Plugin(PluginCommand::New { name, kind, dir }) => {
                let created =
                    docsfy::scaffold::new_plugin(&name, kind.into(), &dir).map_err(Failure::Run)?;
                println!(
                    "created {}; build it with: docsfy plugin build {}",
                    created.display(),
                    created.display()
                );
            }
            Command::Plugin(PluginCommand::Build { dir }) => {
                let built = docsfy::scaffold::build_plugin(&dir).map_err(Failure::Run)?;
                println!("built {}", built.display());
            }
            Command::Server(ServerCommand::Config { config }) => {
                print!("{}", server_config(&config)?.redacted_toml());
            }
        }
        Ok(ExitCode::SUCCESS)
    });
    match result {
        Ok(code) => code,
        Err(Failure::Config(error)) => {
            eprintln!("docsfy: {error}");
            ExitCode::from(2)
        }
        Err(Failure::Run(error)) => {
            eprintln!("docsfy: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Why a server command stopped: its configuration (exit 2) or the run itself (exit 1).
enum Failure {
    Config(docsfy::config::ConfigError),
    Run(anyhow::Error),
}

impl From<docsfy::config::ConfigError> for Failure {
    fn from(error: docsfy::config::ConfigError) -> Self {
        Failure::Config(error)
    }
}
