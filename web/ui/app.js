// The dashboard: the projects the user may see, live over one WebSocket, a form to generate
// more, and the selected variant's detail.
import { api, holdPage, releasePage } from "./api.js";
import { el, showFailure } from "./dom.js";
import { connectLive } from "./live.js";
import { renderTree, variantKey } from "./tree.js";
import { renderDetail } from "./detail.js";
import { elapsed, plannedPages, serverTime } from "./format.js";
import { setUpGenerateForm } from "./generate.js";
import { renderSettings } from "./settings.js";
import { renderAccess, renderUsers } from "./admin.js";
import { shownOnce } from "./keys.js";

const $ = (id) => document.getElementById(id);

const state = {
  me: null,
  projects: [],
  knownModels: {},
  knownBranches: {},
  // The generation this page started and will select once it is listed.
  awaited: null,
  form: null,
  selected: null,
  expanded: new Set(),
  logs: new Map(),
  started: new Map(),
};

const now = () => new Date().toLocaleTimeString([], { hour12: false });

// When the variant's generation started: the server's time if it said, else when this page
// first saw it generating.
function noteStage(v) {
  const key = variantKey(v);
  if (v.status !== "generating") return;
  const started = serverTime(v.generation_started_at)?.getTime();
  if (started) state.started.set(key, started);
  else if (!state.started.has(key)) state.started.set(key, Date.now());
  const log = state.logs.get(key) ?? [];
  const stage = v.current_stage ?? "queued";
  const last = log.at(-1);
  if (last?.stage !== stage) log.push({ stage, pages: v.page_count, time: now() });
  else if (stage === "generating_pages" && v.page_count > last.pages) {
    const total = plannedPages(v.plan_json);
    log.push({ stage, pages: v.page_count, time: now(), text: `Wrote page ${v.page_count}${total ? ` of ${total}` : ""}` });
  }
  state.logs.set(key, log);
}

// Selects the generation this page started as soon as it is listed.
function selectAwaited(v) {
  if (state.awaited && v.generation_id === state.awaited) {
    state.selected = variantKey(v);
    state.awaited = null;
  }
}

function render() {
  renderProjects();
  renderSelected();
}

function renderProjects() {
  const { shown, folders } = renderTree($("tree"), state.projects, {
    filter: $("filter").value.trim(),
    byOwner: state.me?.is_admin,
    selected: state.selected,
    expanded: state.expanded,
    onSelect: (v) => {
      state.selected = variantKey(v);
      render();
      showAccess(v);
      $("detail").focus();
    },
  });
  state.folders = folders;
  const generating = state.projects.filter((v) => v.status === "generating").length;
  const spent = state.projects.reduce((sum, v) => sum + (v.total_cost_usd ?? 0), 0);
  const cost = spent ? ` · $${spent.toFixed(2)} spent` : "";
  $("counts").textContent = `${shown} of ${state.projects.length} variants · ${generating} generating${cost}`;
}

function renderSelected() {
  const chosen = state.projects.find((v) => variantKey(v) === state.selected);
  if (chosen) {
    renderDetail($("detail"), chosen, {
      me: state.me,
      log: state.logs.get(state.selected) ?? [],
      startedAt: state.started.get(state.selected) ?? Date.now(),
      providers: state.form?.providers() ?? [],
      suggest: (provider) => state.form?.suggest(provider) ?? [],
      onStarted: awaitGeneration,
      onDone: () => render(),
      onError: (message) => showFailure($("detail"), message),
    });
  } else {
    $("detail").hidden = true;
  }
}

// Sharing is per project and owner; it is shown for the selected variant's project.
function showAccess(v) {
  const panel = $("access-panel");
  if (!state.me.is_admin) return;
  panel.hidden = false;
  panel.replaceChildren();
  renderAccess(panel, v.name, v.owner);
}

function setUpAccount() {
  $("rotate-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const chosen = $("own-new-key").value;
      holdPage();
      const rotated = await api("POST", "/api/auth/rotate-key", chosen ? { new_key: chosen } : {});
      $("own-new-key").value = "";
      const again = el("a", { href: "/login", textContent: "Sign in again with the new key" });
      $("own-key").replaceChildren(shownOnce("Your new key:", rotated.new_api_key), again);
    } catch (failure) {
      releasePage();
      $("own-key").replaceChildren(el("p", { className: "error", role: "alert", textContent: failure.message }));
    }
  });
}

function awaitGeneration(started) {
  state.awaited = started.generation_id;
  const listed = state.projects.find((v) => v.generation_id === started.generation_id);
  if (listed) selectAwaited(listed);
  render();
}

function applySync(message) {
  state.projects = message.projects ?? [];
  state.knownModels = message.known_models ?? {};
  state.knownBranches = message.known_branches ?? {};
  state.projects.forEach(noteStage);
  state.projects.forEach(selectAwaited);
  state.form?.refill();
  render();
}

function patch(message) {
  const match = (v) => v.name === message.name && v.branch === message.branch && v.owner === message.owner
    && v.ai_provider === message.provider && v.ai_model === message.model;
  const v = state.projects.find(match);
  if (!v) return;
  const before = v.status;
  if (message.generation_id && message.generation_id !== v.generation_id) {
    // A new run of this variant: what was known of the last one no longer holds.
    v.generation_started_at = null;
    v.total_cost_usd = 0;
    v.generation_duration = null;
    state.started.delete(variantKey(v));
    state.logs.delete(variantKey(v));
  }
  for (const field of ["status", "current_stage", "page_count", "plan_json", "error_message", "last_generated", "last_commit_sha",
    "generation_id", "total_cost_usd", "generation_started_at", "generation_duration"]) {
    if (field in message) v[field] = message[field];
  }
  noteStage(v);
  const wasSelected = state.selected;
  selectAwaited(v);
  // Progress within a status leaves the tree as it is (and the keyboard focus in it).
  if (v.status === before && state.selected === wasSelected) {
    if (variantKey(v) === state.selected) renderSelected();
  } else {
    render();
  }
}

async function main() {
  try {
    state.me = await api("GET", "/api/auth/me");
  } catch {
    location.assign("/login");
    return;
  }
  $("whoami").textContent = `${state.me.username} (${state.me.role})`;
  $("logout").addEventListener("click", async () => {
    await api("POST", "/api/auth/logout").catch(() => {});
    location.assign("/login");
  });
  $("filter").addEventListener("input", render);
  $("expand-all").addEventListener("click", () => {
    state.expanded.clear();
    render();
  });
  $("collapse-all").addEventListener("click", () => {
    for (const id of state.folders ?? []) state.expanded.add(`closed:${id}`);
    render();
  });
  $("detail").tabIndex = -1;
  setUpAccount();
  if (state.me.is_admin) {
    renderUsers($("admin-panel"));
    renderSettings($("settings-panel"));
  }
  state.form = await setUpGenerateForm({
    me: state.me,
    live: () => ({ knownModels: state.knownModels, knownBranches: state.knownBranches }),
    onStarted: awaitGeneration,
  });
  connectLive({
    onSync: applySync,
    onProgress: (m) => patch(m),
    onStatus: (m) => patch(m),
    onConnection: (how) => {
      const badge = $("connection");
      badge.textContent = { live: "Live", offline: "Offline: reconnecting…", "signed-out": "Signed out" }[how];
      badge.className = `connection ${how}`;
    },
  });
  // Only the clock ticks; re-rendering would take the keyboard focus away.
  setInterval(() => {
    const clock = $("elapsed");
    const since = state.started.get(state.selected);
    if (clock && since) clock.textContent = `Elapsed ${elapsed(since)}`;
  }, 1000);
}

main();
