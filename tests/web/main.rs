//! The web app in headless Chromium against the real binary with the fake claude: what a
//! person sees and does, at a phone's width and a desktop's. Screenshots of each checked
//! state are saved under `target/screenshots/`.

#[path = "../support/mod.rs"]
mod support;

mod account;
mod admin;
mod browser;
mod dashboard;
mod live;
mod login;
mod quality;
mod settings;
mod site;
mod variant;
