//! The one wasmtime engine: component model, epoch interruption, and an on-disk cache of
//! compiled components so that a restart does not recompile.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use wasmtime::{Cache, CacheConfig, Config, Engine};

/// How often the epoch advances; the granularity of every plugin deadline.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// The engine and the thread that drives its epoch. Cloning shares both.
#[derive(Clone)]
pub struct PluginEngine {
    engine: Engine,
    cache: Cache,
    _ticker: Arc<EpochTicker>,
}

impl PluginEngine {
    /// Creates the engine, caching compiled components under `cache_dir`.
    pub fn new(cache_dir: &Path) -> anyhow::Result<PluginEngine> {
        std::fs::create_dir_all(cache_dir)
            .with_context(|| format!("creating the plugin cache {}", cache_dir.display()))?;
        let mut cache_config = CacheConfig::new();
        cache_config.with_directory(cache_dir);
        let cache = Cache::new(cache_config)
            .map_err(anyhow::Error::from)
            .with_context(|| format!("opening the plugin cache {}", cache_dir.display()))?;
        let mut config = Config::new();
        config
            .wasm_component_model(true)
            .epoch_interruption(true)
            .cache(Some(cache.clone()));
        let engine = Engine::new(&config)
            .map_err(anyhow::Error::from)
            .context("creating the WebAssembly engine")?;
        let ticker = EpochTicker::start(engine.clone());
        Ok(PluginEngine {
            engine,
            cache,
            _ticker: Arc::new(ticker),
        })
    }

    /// The wasmtime engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// How many components were loaded from the cache, and how many had to be compiled.
    pub fn cache_counts(&self) -> (usize, usize) {
        (self.cache.cache_hits(), self.cache.cache_misses())
    }
}

/// Advances the engine's epoch every [`EPOCH_TICK`] until dropped.
struct EpochTicker {
    stop: Arc<AtomicBool>,
}

impl EpochTicker {
    fn start(engine: Engine) -> EpochTicker {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        std::thread::Builder::new()
            .name("plugin-epoch".into())
            .spawn(move || {
                while !stopped.load(Ordering::Relaxed) {
                    std::thread::sleep(EPOCH_TICK);
                    engine.increment_epoch();
                }
            })
            .expect("spawning the plugin epoch thread");
        EpochTicker { stop }
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
