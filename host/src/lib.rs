//! docsfy: a self-hosted server that turns git repositories into documentation websites.
#![forbid(unsafe_code)]

pub mod plugins;
