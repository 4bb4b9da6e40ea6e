//! docsfy: a self-hosted server that turns git repositories into documentation websites.
#![forbid(unsafe_code)]

pub mod api;
pub mod artifacts;
pub mod auth;
pub mod cli;
pub mod command_line;
pub mod commands;
pub mod config;
pub mod domain;
pub mod events;
pub mod pipeline;
pub mod plugins;
pub mod scaffold;
pub mod server;
pub mod store;

/// Git repositories for the unit tests, from the one helper every test suite shares.
#[cfg(test)]
#[path = "../../tests/support/git.rs"]
mod test_git;
