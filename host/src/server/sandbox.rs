//! Choosing, at start-up, the sandbox the AI CLIs run in (`[sandbox] mode`).

use crate::config::{Config, SandboxMode};
use crate::plugins::{Confinement, ProgramSandbox, SandboxView};

/// The sandbox for this server, `None` when programs run unconfined. Fails only in
/// `required` mode without a working bubblewrap.
pub async fn choose(config: &Config) -> anyhow::Result<Option<Confinement>> {
    if config.sandbox.mode == SandboxMode::Off {
        tracing::info!("AI CLIs run without a sandbox ([sandbox] mode = \"off\")");
        return Ok(None);
    }
    let search_path = config.plugins.search_path();
    match ProgramSandbox::detect(&search_path, vec![config.data_dir.clone()]).await {
        Ok(sandbox) => {
            let home = std::env::var("HOME").ok();
            let (read_only, writable) = config.sandbox.paths(home.as_deref());
            tracing::info!("AI CLIs run inside bubblewrap; the data directory is hidden from them");
            Ok(Some(Confinement {
                sandbox,
                shared: SandboxView {
                    read_only,
                    writable,
                },
            }))
        }
        Err(unavailable) if config.sandbox.mode == SandboxMode::Required => Err(anyhow::anyhow!(
            "[sandbox] mode = \"required\", but {unavailable}"
        )),
        Err(unavailable) => {
            tracing::warn!(
                "AI CLIs run WITHOUT a sandbox, as the server's user: {unavailable}. Set \
                 [sandbox] mode = \"required\" to refuse to start like this, or \"off\" to \
                 silence this warning"
            );
            Ok(None)
        }
    }
}
