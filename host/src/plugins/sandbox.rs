//! The per-call sandbox: a fresh store with no files, no sockets and no environment, a memory
//! cap, and a compute deadline that does not count time spent waiting on the host.

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use wasmtime::component::ResourceTable;
use wasmtime::{ResourceLimiter, Store, UpdateDeadline};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use super::engine::PluginEngine;
use super::error::PluginErrorKind;
use super::grants::Grant;
use super::manifest::Manifest;

/// How much of a plugin's own stderr (panic messages) is kept for error reports.
const PLUGIN_STDERR_CAP: usize = 1024 * 1024;

/// Table elements all of one instance's tables may hold together.
const TABLE_ELEMENTS_CAP: usize = 1_000_000;

/// Who a plugin is and what it may do; shared by all its calls.
#[derive(Debug)]
pub struct PluginIdentity {
    /// The parsed manifest.
    pub manifest: Manifest,
    /// The operator's grant.
    pub grant: Grant,
    /// The memory cap of one instance, in bytes.
    pub memory_cap: usize,
    /// The compute deadline of one call.
    pub call_deadline: Duration,
    /// The operator's settings for this plugin, secrets included.
    pub settings: super::operator_settings::ResolvedSettings,
}

/// Host-wide settings for what plugins reach on the outside: programs run on their behalf,
/// and the HTTP clients their requests go through.
#[derive(Debug, Clone)]
pub struct ProgramSettings {
    /// Where program names are looked up.
    pub search_path: OsString,
    /// The environment granted variables are taken from.
    pub environment: Vec<(String, String)>,
    /// Bytes kept of each output stream.
    pub output_cap: usize,
    /// The sandbox programs run in; `None`: unconfined (`[sandbox] mode = "off"`, or no
    /// bubblewrap in `auto` mode).
    pub confinement: Option<super::Confinement>,
    /// The HTTP clients and the response size cap.
    pub http: super::http_api::HttpClients,
}

/// What the current call is for: set by whoever calls the plugin (usually a job).
#[derive(Debug, Clone)]
pub struct CallContext {
    /// Where programs run: the job's checkout. None: a fresh empty directory.
    pub workdir: Option<PathBuf>,
    /// The upper bound on one program's run time, whatever the plugin asks for.
    pub max_program_time: Duration,
    /// Names the call in logs, such as the job's `owner/name/branch/provider/model`.
    pub label: String,
    /// Whether the plugin may run programs and send HTTP requests in this call (not while
    /// it is being loaded).
    pub programs_allowed: bool,
    /// What the call is for (`plan`, `page`, ...), passed to its programs as
    /// `DOCSFY_CALL_KIND`.
    pub call_kind: Option<&'static str>,
}

impl Default for CallContext {
    fn default() -> Self {
        CallContext {
            workdir: None,
            max_program_time: Duration::from_secs(60),
            label: String::new(),
            programs_allowed: true,
            call_kind: None,
        }
    }
}

impl CallContext {
    /// The wall-clock bound on a whole call: its compute deadline plus room for two program
    /// runs (one retry), so that no call can hang, whatever the plugin does.
    pub fn time_limit(&self, compute_deadline: Duration) -> Duration {
        let programs = if self.programs_allowed {
            self.max_program_time.saturating_mul(2)
        } else {
            Duration::ZERO
        };
        compute_deadline
            .saturating_add(programs)
            .saturating_add(Duration::from_secs(1))
    }
}

/// The data of one call's store.
pub struct SandboxState {
    wasi: WasiCtx,
    table: ResourceTable,
    stderr: MemoryOutputPipe,
    pub(super) plugin: Arc<PluginIdentity>,
    pub(super) programs: Arc<ProgramSettings>,
    pub(super) call: CallContext,
    /// A scratch directory used as the working directory when the call has none.
    pub(super) scratch: Option<tempfile::TempDir>,
    started: Instant,
    /// Time spent in host functions (waiting for programs), excluded from the deadline.
    pub(super) waited: Duration,
    deadline_hit: bool,
    memory_refused: bool,
    /// Bytes of linear memory across all the instance's memories.
    memory_used: usize,
    /// Elements across all the instance's tables.
    table_elements: usize,
}

impl WasiView for SandboxState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl ResourceLimiter for SandboxState {
    // The caps hold for the whole instance: a component may have several memories and
    // tables, so growth is counted against running totals, not per memory.
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let total = self
            .memory_used
            .saturating_sub(current)
            .saturating_add(desired);
        let allowed = total <= self.plugin.memory_cap;
        if allowed {
            self.memory_used = total;
        } else {
            self.memory_refused = true;
        }
        Ok(allowed)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let total = self
            .table_elements
            .saturating_sub(current)
            .saturating_add(desired);
        let allowed = total <= TABLE_ELEMENTS_CAP;
        if allowed {
            self.table_elements = total;
        }
        Ok(allowed)
    }

    fn instances(&self) -> usize {
        64
    }

    fn tables(&self) -> usize {
        64
    }

    fn memories(&self) -> usize {
        16
    }
}

/// Builds the store for one call.
pub fn new_store(
    engine: &PluginEngine,
    plugin: Arc<PluginIdentity>,
    programs: Arc<ProgramSettings>,
    call: CallContext,
) -> Store<SandboxState> {
    let stderr = MemoryOutputPipe::new(PLUGIN_STDERR_CAP);
    // No preopened directories, no environment, no arguments, no network: the builder starts
    // with none of these, and the network is closed explicitly in case its defaults change.
    let mut builder = WasiCtx::builder();
    builder
        .stderr(stderr.clone())
        .allow_tcp(false)
        .allow_udp(false)
        .allow_ip_name_lookup(false)
        .socket_addr_check(|_, _| Box::pin(async { false }));
    let state = SandboxState {
        wasi: builder.build(),
        table: ResourceTable::new(),
        stderr,
        plugin,
        programs,
        call,
        scratch: None,
        started: Instant::now(),
        waited: Duration::ZERO,
        deadline_hit: false,
        memory_refused: false,
        memory_used: 0,
        table_elements: 0,
    };
    let mut store = Store::new(engine.engine(), state);
    store.limiter(|state| state as &mut dyn ResourceLimiter);
    store.set_epoch_deadline(1);
    store.epoch_deadline_callback(|mut context| {
        let state = context.data_mut();
        let computed = state.started.elapsed().saturating_sub(state.waited);
        if computed >= state.plugin.call_deadline {
            state.deadline_hit = true;
            return Err(wasmtime::Error::msg("plugin call deadline exceeded"));
        }
        // Yield at every tick so that a busy plugin never starves other tasks.
        Ok(UpdateDeadline::Yield(1))
    });
    store
}

impl SandboxState {
    /// Explains a failed call: a limit the host enforced, or the trap with the plugin's own
    /// last words (a panic message) when it wrote any.
    pub fn explain_failure(&self, error: &wasmtime::Error) -> PluginErrorKind {
        if self.deadline_hit {
            return PluginErrorKind::DeadlineExceeded(self.plugin.call_deadline);
        }
        if self.memory_refused {
            return PluginErrorKind::MemoryExceeded((self.plugin.memory_cap >> 20) as u64);
        }
        let stderr = last_words(&String::from_utf8_lossy(&self.stderr.contents()));
        let trap = error
            .downcast_ref::<wasmtime::Trap>()
            .map(|t| t.to_string())
            .unwrap_or_else(|| format!("{error:#}"));
        if stderr.is_empty() {
            PluginErrorKind::Crashed(trap)
        } else {
            PluginErrorKind::Crashed(format!("{stderr} ({trap})"))
        }
    }
}

/// A plugin's stderr folded to one line for an error message: the panic location and
/// message, without Rust's backtrace hint, and only the end of anything long.
fn last_words(stderr: &str) -> String {
    const MAX_CHARS: usize = 1000;
    let folded = stderr
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("note: run with `RUST_BACKTRACE"))
        .collect::<Vec<_>>()
        .join(" ");
    let count = folded.chars().count();
    if count <= MAX_CHARS {
        return folded;
    }
    let tail: String = folded.chars().skip(count - MAX_CHARS).collect();
    format!("…{tail}")
}

#[cfg(test)]
mod tests {
    use super::last_words;

    #[test]
    fn last_words_keep_the_panic_and_drop_the_backtrace_hint() {
        let stderr = "\nthread '<unnamed>' panicked at src/lib.rs:3:5:\nboom\n\
                      note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n";
        assert_eq!(
            last_words(stderr),
            "thread '<unnamed>' panicked at src/lib.rs:3:5: boom"
        );
        assert_eq!(last_words(&"x".repeat(1500)).chars().count(), 1001);
    }
}
