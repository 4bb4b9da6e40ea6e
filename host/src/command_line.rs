//! The whole `docsfy` command line: the server and its operator commands, and the client
//! commands of docsfy's CLI (`generate`, `list`, `status`, ... see [`crate::cli`]).

use std::path::PathBuf;

use clap::{CommandFactory as _, Parser, Subcommand};

use crate::cli::{ClientCommand, Connection};

/// docsfy turns git repositories into documentation websites with AI.
///
/// `docsfy serve` runs the server. The other commands are its client, with docsfy's names
/// and flags: they talk to a server named by a profile in ~/.config/docsfy/config.toml
/// (`docsfy config init`), or by --host/--port and -p KEY given before the command.
#[derive(Parser, Debug)]
#[command(name = "docsfy", version, about, long_about)]
pub struct Cli {
    #[command(flatten)]
    pub connection: Connection,
    #[command(subcommand)]
    pub command: Command,
}

/// Every command.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Runs the server.
    Serve {
        /// Address to listen on (overrides `host` and HOST).
        #[arg(long)]
        host: Option<String>,
        /// Port to listen on, 0 for any free one (overrides `port` and PORT).
        #[arg(long)]
        port: Option<u16>,
        #[command(flatten)]
        config: ServerConfig,
    },
    /// Lists the server's loaded plugins (and any that were skipped, with the reason).
    Plugins {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        config: ServerConfig,
    },
    /// Writing plugins: a new plugin crate, and building it into `plugin.wasm`.
    #[command(subcommand)]
    Plugin(PluginCommand),
    /// Operator commands about the server's own configuration.
    #[command(subcommand)]
    Server(ServerCommand),
    #[command(flatten)]
    Client(ClientCommand),
}

/// Where the server's configuration comes from.
#[derive(clap::Args, Debug, Clone)]
pub struct ServerConfig {
    /// Server config file (TOML); defaults to $DOCSFY_CONFIG, else built-in defaults and
    /// the environment.
    #[arg(long = "config", value_name = "PATH")]
    pub file: Option<PathBuf>,
}

/// `docsfy server ...`.
#[derive(Subcommand, Debug)]
pub enum ServerCommand {
    /// Prints the server's effective configuration, secrets redacted.
    Config {
        #[command(flatten)]
        config: ServerConfig,
    },
}

/// The command line as clap sees it (for completions).
pub fn command() -> clap::Command {
    Cli::command()
}

/// `docsfy plugin ...`.
#[derive(Subcommand, Debug)]
pub enum PluginCommand {
    /// Writes a new plugin crate (a working provider or renderer, and the SDK of this docsfy).
    New {
        /// The plugin's name, also its directory's.
        name: String,
        /// What it is.
        #[arg(long, value_enum, default_value = "provider")]
        kind: NewPluginKind,
        /// Where to create its directory (default: the current one).
        #[arg(long, default_value = ".")]
        dir: PathBuf,
    },
    /// Builds a plugin crate for wasm32-wasip2 and puts `plugin.wasm` beside its `plugin.toml`.
    Build {
        /// The plugin crate's directory.
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
}

/// The kinds `docsfy plugin new` writes.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum NewPluginKind {
    /// An AI provider.
    Provider,
    /// A site renderer.
    Renderer,
}

impl From<NewPluginKind> for crate::plugins::PluginKind {
    fn from(kind: NewPluginKind) -> Self {
        match kind {
            NewPluginKind::Provider => crate::plugins::PluginKind::Provider,
            NewPluginKind::Renderer => crate::plugins::PluginKind::Renderer,
        }
    }
}
