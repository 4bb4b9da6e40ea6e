//! docsfy: a self-hosted server that turns git repositories into documentation websites.
#![forbid(unsafe_code)]

pub mod api;
pub mod artifacts;
pub mod auth;
pub mod commands;
pub mod config;
pub mod domain;
pub mod events;
pub mod pipeline;
pub mod plugins;
pub mod server;
pub mod store;
#[doc(hidden)]
pub mod testing;
