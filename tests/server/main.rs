//! The `docsfy` binary as an operator and a client meet it: its commands and its server.

#[path = "../support/mod.rs"]
mod support;

mod admin_routes;
mod admin_settings;
mod auth_routes;
mod authorization_generating;
mod authorization_matrix;
mod cli;
mod cli_sandbox;
mod client;
mod client_watch;
mod docs_access_changes;
mod docs_and_downloads;
mod docs_origin;
mod docs_revalidation;
mod errors_and_first_start;
mod exports;
mod first_run;
mod generation;
mod generation_cost;
mod generation_ids;
mod generation_interrupted;
mod generation_limits;
mod hostile_repository;
mod http_basics;
mod keep_alive;
mod login_limits;
mod models_discovery;
mod openai_provider;
mod plugin_scaffold;
mod project_routes;
mod published_downloads;
mod quotas;
mod remote_clones;
mod security_headers;
mod slashed_branches;
mod spec_conformance;
mod unusual_content;
mod websocket;
mod websocket_generation;
mod wire_format;
