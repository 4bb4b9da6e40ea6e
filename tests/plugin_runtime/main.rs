//! The plugin runtime, driven through the host as the server drives it: the bundled provider
//! plugins against fake CLIs, the sandbox against a misbehaving test plugin, and discovery.

#[path = "../support/mod.rs"]
mod support;

mod discovery;
mod http_capability;
mod providers;
mod renderer;
mod sandbox;
mod wit_versions;
