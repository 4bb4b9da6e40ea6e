//! The `docsfy` binary as an operator and a client meet it: its commands and its server.

#[path = "../support/mod.rs"]
mod support;

mod cli;
mod http_basics;
