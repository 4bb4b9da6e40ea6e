//! Starting and stopping the server.

mod connections;
mod housekeeping;
mod request_body;
mod sandbox;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use tracing_subscriber::EnvFilter;

use crate::api::listing::Listings;
use crate::api::{self, AppState, Origins, Shared};
use crate::artifacts::Artifacts;
use crate::auth::{Authenticator, keys};
use crate::config::Config;
use crate::events::{Event, EventBus};
use crate::pipeline::remote::RemotePolicy;
use crate::pipeline::run::{Pipeline, PipelineParts, RunningLimits};
use crate::plugins::{LoadOptions, PluginRegistry};
use crate::store::Store;

/// How long a stopping server waits for its WebSocket clients to take their close frames.
const SOCKETS_GOODBYE: Duration = Duration::from_secs(5);

/// Runs the server until SIGINT or SIGTERM.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    init_logging(&config)?;
    let address: SocketAddr = format!("{}:{}", config.host, config.port)
        .parse()
        .with_context(|| {
            format!(
                "`{}:{}` is not an address to listen on",
                config.host, config.port
            )
        })?;
    let state = prepare(config).await?;
    tokio::spawn(housekeeping::purge_expired_sessions(
        state.store.clone(),
        housekeeping::SESSION_PURGE_EVERY,
    ));
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("listening on {address}"))?;
    let bound = listener.local_addr().context("reading the bound address")?;
    // Tests and scripts read this line to find the port when `port = 0`.
    tracing::info!("docsfy listening on http://{bound}");
    println!("docsfy listening on http://{bound}");
    let stopping = {
        let state = state.clone();
        async move {
            shutdown_signal().await;
            tracing::info!("stopping: closing live sockets");
            state.sockets.begin_stopping();
            state.announce(Event::ServerStopping);
            state.sockets.all_closed_within(SOCKETS_GOODBYE).await;
        }
    };
    serve_routes(listener, state, stopping).await;
    tracing::info!("docsfy stopped");
    Ok(())
}

/// Serves every route of `state` on `listener` until `stopping` completes: the server's own
/// way of serving, for `serve` and for benchmarks that run it in process.
pub async fn serve_routes(
    listener: tokio::net::TcpListener,
    state: AppState,
    stopping: impl std::future::Future<Output = ()>,
) {
    connections::serve(listener, warp::service(api::routes(state)), stopping).await;
}

/// Opens the data directory, the database and the plugins: everything the routes share.
pub async fn prepare(config: Config) -> anyhow::Result<AppState> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating the data directory {}", config.data_dir.display()))?;
    let store = Store::open(&config.data_dir).await?;
    let purged = store.purge_expired_sessions().await?;
    let interrupted = store.fail_interrupted_generations().await?;
    if interrupted > 0 {
        tracing::warn!(
            "{interrupted} generation(s) were running when the server stopped: marked as errors"
        );
    }
    tracing::debug!("forgot {purged} expired sessions");
    let secret = keys::load_or_create_server_secret(&config.data_dir)?;
    let admin_key = admin_key(&config)?;
    let auth = Arc::new(Authenticator::new(
        store.clone(),
        secret,
        &admin_key,
        config.login.limits(),
    ));
    let cache_dir = config.plugin_cache_dir();
    let options = LoadOptions {
        confinement: sandbox::choose(&config).await?,
        ..LoadOptions::default()
    };
    let plugins = PluginRegistry::load(&config.plugins, &cache_dir, options).await?;
    let (cached, compiled) = plugins.engine().cache_counts();
    tracing::info!(
        "plugins: {cached} loaded from the compiled cache in {}, {compiled} compiled now",
        cache_dir.display()
    );
    if plugins.provider(&config.ai_provider).is_none() {
        tracing::warn!(
            "the default provider `{}` is not loaded; requests must name one of: {}",
            config.ai_provider,
            plugins.provider_names().join(", ")
        );
    }
    if let Some(missing) = config
        .render
        .extra
        .iter()
        .find(|name| plugins.renderer(name).is_none())
    {
        anyhow::bail!(
            "render.extra names `{missing}`, which is not a loaded renderer (loaded: {})",
            plugins.renderer_names().join(", ")
        );
    }
    // Sites by their real path, so that serving a file checks one path, not two.
    let artifacts = Artifacts::new(
        &config
            .data_dir
            .canonicalize()
            .unwrap_or_else(|_| config.data_dir.clone()),
    );
    let work_root = config.data_dir.join("work");
    // Checkouts of jobs that were running when the server stopped are of no further use.
    let _ = std::fs::remove_dir_all(&work_root);
    let events = EventBus::default();
    let listings = Arc::new(Listings::new(store.clone(), events.clone()));
    let resolutions = api::Resolutions::new(events.clone());
    let pipeline = Arc::new(Pipeline::new(PipelineParts {
        store: store.clone(),
        artifacts: artifacts.clone(),
        plugins: plugins.clone(),
        events,
        max_ai_calls: config.max_concurrent_ai_calls,
        work_root,
        remotes: RemotePolicy::from_settings(&config.git),
        // Sites are read at the docs origin when there is one, else at the API's.
        site_origin: [config.docs_origin(), config.api_origin()]
            .into_iter()
            .find_map(|origin| origin.and_then(Result::ok))
            .map(|origin| origin.base),
        extra_renderers: config.render.extra.clone(),
        running_limits: RunningLimits {
            per_owner: config.generations.running_per_user,
            total: config.generations.running_total,
        },
    }));
    let provider_models = plugins
        .provider_names()
        .into_iter()
        .filter_map(|name| {
            let models = plugins.provider(&name)?.description().models.clone();
            Some((name, models))
        })
        .collect();
    Ok(AppState::new(Shared {
        artifacts,
        origins: Origins::of(&config),
        config: Arc::new(config),
        provider_models: std::sync::RwLock::new(provider_models),
        plugins,
        store,
        auth,
        pipeline,
        listings,
        resolutions,
        sockets: Arc::default(),
        site_files: Default::default(),
    }))
}

/// ADMIN_KEY, or the one generated into the data directory on first start (printed once, so
/// that a newcomer can log in).
fn admin_key(config: &Config) -> anyhow::Result<String> {
    if !config.admin_key.is_empty() {
        return Ok(config.admin_key.clone());
    }
    let (key, created) = keys::load_or_create_admin_key(&config.data_dir)?;
    let path = config.data_dir.join(keys::ADMIN_KEY_FILE);
    if created {
        println!(
            "No ADMIN_KEY is set: generated one and saved it in {} (mode 0600).",
            path.display()
        );
        println!("Log in as `admin` with this key: {key}");
    } else {
        tracing::info!("using the admin key saved in {}", path.display());
    }
    Ok(key)
}

/// Logs go to stderr, coloured only when a person is looking at it: redirected to a file or
/// a journal they are plain text. `NO_COLOR` turns colour off on a terminal too.
fn init_logging(config: &Config) -> anyhow::Result<()> {
    use std::io::IsTerminal as _;
    let filter = EnvFilter::try_new(config.log_filter()?)?;
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour)
        .with_writer(std::io::stderr)
        .try_init();
    Ok(())
}

async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate => {}
    }
}
