// The generate form: repository and branch (branches already generated for that repository
// are suggested), provider and model (suggestions from the server, free text allowed),
// force; admins may name a path on the server instead. Inputs are remembered.
import { api } from "./api.js";
import { el } from "./dom.js";

const $ = (id) => document.getElementById(id);
const FORM_KEY = "docsfy-generate";
const option = (value, text) => el("option", { value, ...(text ? { textContent: text } : {}) });

let models = { providers: [], default_provider: "", default_model: "", known_models: {}, available_models: {} };

/// The project name the server derives from a repository URL or path: its last segment.
const projectOf = (location) => location.trim().replace(/\/+$/, "").replace(/\.git$/, "").split(/[/:]/).pop() ?? "";

/// Sets the form up; `live()` gives the latest sync's `known_models` and `known_branches`.
export async function setUpGenerateForm({ me, live, onStarted }) {
  await loadModels();
  const select = $("ai_provider");
  select.replaceChildren(...models.providers.map((p) => option(p, p)));
  const remembered = JSON.parse(localStorage.getItem(FORM_KEY) || "{}");
  select.value = remembered.ai_provider || models.default_provider;
  $("ai_model").value = remembered.ai_model || models.default_model || "";
  $("repo_url").value = remembered.repo_url || "";
  $("branch").value = remembered.branch || "main";
  const refill = () => {
    $("models").replaceChildren(...suggest(select.value || models.default_provider, live()).map((m) => option(m)));
    const project = projectOf($("repo_path").value || $("repo_url").value);
    $("branches").replaceChildren(...(live().knownBranches[project] ?? []).map((b) => option(b)));
  };
  select.addEventListener("change", refill);
  $("repo_url").addEventListener("input", refill);
  $("repo_path").addEventListener("input", refill);
  refill();
  $("repo-path-row").hidden = !me.is_admin;
  $("refresh-models").hidden = !me.is_admin;
  $("refresh-models").addEventListener("click", async () => {
    const note = $("models-note");
    try {
      await api("POST", "/api/models/refresh", {});
      await loadModels();
      refill();
      note.textContent = "Models refreshed.";
    } catch (failure) {
      note.textContent = failure.message;
    }
  });
  if (me.role === "viewer") $("generate-panel").hidden = true;
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
    if (path && me.is_admin) body.repo_path = path; else body.repo_url = $("repo_url").value.trim();
    localStorage.setItem(FORM_KEY, JSON.stringify({ ...body, repo_url: body.repo_url ?? "" }));
    try {
      onStarted(await api("POST", "/api/generate", body));
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
    }
  });
  return { refill, providers: () => models.providers, suggest: (provider) => suggest(provider, live()) };
}

async function loadModels() {
  try {
    models = { ...models, ...(await api("GET", "/api/models")) };
  } catch {
    // The form still works with free text.
  }
}

/// The models to offer for `provider`: what the server can use, knows of, and has used.
function suggest(provider, { knownModels }) {
  return [...new Set([
    // Offered as {id, name}.
    ...(models.available_models?.[provider] ?? []).map((m) => (typeof m === "string" ? m : m.id)),
    ...(models.known_models?.[provider] ?? []),
    ...(knownModels[provider] ?? []),
  ])].sort();
}
