// The dashboard: the projects the user may see, live over one WebSocket, a form to generate
// more, and the selected variant's detail.
import { api } from "./api.js";
import { connectLive } from "./live.js";
import { renderTree, variantKey } from "./tree.js";
import { elapsed, renderDetail } from "./detail.js";
import { renderAccess, renderUsers } from "./admin.js";
import { shownOnce } from "./keys.js";

const $ = (id) => document.getElementById(id);
const FORM_KEY = "docsfy-generate";

const state = {
  me: null,
  projects: [],
  knownModels: {},
  selected: null,
  expanded: new Set(),
  logs: new Map(),
  started: new Map(),
};

const now = () => new Date().toLocaleTimeString([], { hour12: false });

function noteStage(v) {
  const key = variantKey(v);
  if (v.status !== "generating") return;
  if (!state.started.has(key)) state.started.set(key, Date.now());
  const log = state.logs.get(key) ?? [];
  const stage = v.current_stage ?? "queued";
  if (log.at(-1)?.stage !== stage) log.push({ stage, time: now() });
  state.logs.set(key, log);
}

function render() {
  renderProjects();
  renderSelected();
}

function renderProjects() {
  const shown = renderTree($("tree"), state.projects, {
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
  const generating = state.projects.filter((v) => v.status === "generating").length;
  $("counts").textContent = `${shown} of ${state.projects.length} variants · ${generating} generating`;
}

function renderSelected() {
  const chosen = state.projects.find((v) => variantKey(v) === state.selected);
  if (chosen) {
    renderDetail($("detail"), chosen, {
      me: state.me,
      log: state.logs.get(state.selected) ?? [],
      startedAt: state.started.get(state.selected) ?? Date.now(),
      onDone: () => render(),
      onError: (message) => showError($("detail"), message),
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
  $("rotate-own").addEventListener("click", async () => {
    try {
      const rotated = await api("POST", "/api/auth/rotate-key", {});
      const again = Object.assign(document.createElement("a"), { href: "/login", textContent: "Sign in again with the new key" });
      $("own-key").replaceChildren(shownOnce("Your new key:", rotated.new_api_key), again);
    } catch (failure) {
      $("own-key").replaceChildren(Object.assign(document.createElement("p"), { className: "error", role: "alert", textContent: failure.message }));
    }
  });
}

function showError(container, message) {
  let box = container.querySelector(".action-error");
  if (!box) {
    box = Object.assign(document.createElement("p"), { className: "error action-error", role: "alert" });
    container.append(box);
  }
  box.textContent = message;
}

function applySync(message) {
  state.projects = message.projects ?? [];
  state.knownModels = message.known_models ?? {};
  state.projects.forEach(noteStage);
  fillModels();
  render();
}

function patch(message) {
  const match = (v) => v.name === message.name && v.branch === message.branch && v.owner === message.owner
    && v.ai_provider === message.provider && v.ai_model === message.model;
  const v = state.projects.find(match);
  if (!v) return;
  const before = v.status;
  for (const field of ["status", "current_stage", "page_count", "plan_json", "error_message", "last_generated", "last_commit_sha"]) {
    if (field in message) v[field] = message[field];
  }
  noteStage(v);
  // Progress within a status leaves the tree as it is (and the keyboard focus in it).
  if (v.status === before) {
    if (variantKey(v) === state.selected) renderSelected();
  } else {
    render();
  }
}

let models = { providers: [], default_provider: "", default_model: "", known_models: {}, available_models: {} };

function fillModels() {
  const provider = $("ai_provider").value || models.default_provider;
  const suggestions = new Set([
    ...(models.available_models?.[provider] ?? []),
    ...(models.known_models?.[provider] ?? []),
    ...(state.knownModels[provider] ?? []),
  ]);
  $("models").replaceChildren(...[...suggestions].sort().map((m) => Object.assign(document.createElement("option"), { value: m })));
}

async function setUpForm() {
  try {
    models = await api("GET", "/api/models");
  } catch {
    // The form still works with free text.
  }
  const select = $("ai_provider");
  select.replaceChildren(...(models.providers ?? []).map((p) => Object.assign(document.createElement("option"), { value: p, textContent: p })));
  const remembered = JSON.parse(localStorage.getItem(FORM_KEY) || "{}");
  select.value = remembered.ai_provider || models.default_provider;
  $("ai_model").value = remembered.ai_model || models.default_model || "";
  $("repo_url").value = remembered.repo_url || "";
  $("branch").value = remembered.branch || "main";
  select.addEventListener("change", fillModels);
  fillModels();
  $("repo-path-row").hidden = !state.me.is_admin;
  if (state.me.role === "viewer") $("generate-panel").hidden = true;
  $("generate").addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = $("generate-error");
    error.hidden = true;
    const body = {
      branch: $("branch").value.trim() || "main",
      ai_provider: select.value,
      ai_model: $("ai_model").value.trim(),
      force: $("force").checked,
    };
    const path = $("repo_path").value.trim();
    if (path && state.me.is_admin) body.repo_path = path; else body.repo_url = $("repo_url").value.trim();
    localStorage.setItem(FORM_KEY, JSON.stringify({ ...body, repo_url: body.repo_url ?? "" }));
    try {
      const started = await api("POST", "/api/generate", body);
      state.selected = variantKey({ owner: state.me.username, name: started.project, branch: started.branch, ai_provider: body.ai_provider, ai_model: body.ai_model });
      render();
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
    }
  });
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
  $("detail").tabIndex = -1;
  setUpAccount();
  if (state.me.is_admin) renderUsers($("admin-panel"));
  await setUpForm();
  connectLive({
    onSync: applySync,
    onProgress: (m) => patch(m),
    onStatus: (m) => patch(m),
    onConnection: (how) => {
      const badge = $("connection");
      badge.textContent = how === "live" ? "Live" : "Offline: reconnecting…";
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
