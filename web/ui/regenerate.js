// Regenerating a variant: the same repository and branch, with the provider, model and
// force a person picks (force is preselected after a failure, where the cache may be the
// cause). What was typed survives the panel being redrawn by live updates.
import { api } from "./api.js";
import { el } from "./dom.js";

const typed = new Map();

export const isServerPath = (repo) => repo.startsWith("/");

export function regenerateForm(v, { providers, suggest, onStarted, onError }) {
  const key = `${v.owner}\u0000${v.name}\u0000${v.branch}`;
  const kept = typed.get(key) ?? { provider: v.ai_provider, model: v.ai_model, force: v.status !== "ready" };
  const provider = el("select", { id: "regen-provider" },
    ...[...new Set([...providers, v.ai_provider])].map((p) => el("option", { value: p, textContent: p })));
  provider.value = kept.provider;
  const model = el("input", { id: "regen-model", autocomplete: "off", value: kept.model });
  model.setAttribute("list", "regen-models");
  const models = el("datalist", { id: "regen-models" });
  const fill = () => models.replaceChildren(...suggest(provider.value).map((m) => el("option", { value: m })));
  fill();
  const force = el("input", { id: "regen-force", type: "checkbox", checked: kept.force });
  const remember = () => typed.set(key, { provider: provider.value, model: model.value, force: force.checked });
  provider.addEventListener("change", () => {
    fill();
    remember();
  });
  model.addEventListener("input", remember);
  force.addEventListener("change", remember);
  const submit = el("button", { type: "submit", className: "primary", textContent: "Regenerate" });
  const form = el("form", { id: "regenerate", className: "regenerate" },
    el("h3", { textContent: "Regenerate" }),
    el("div", { className: "row" },
      el("div", {}, el("label", { htmlFor: "regen-provider", textContent: "Provider" }), provider),
      el("div", {}, el("label", { htmlFor: "regen-model", textContent: "Model" }), model, models)),
    el("label", { className: "check" }, force, " Force a full regeneration"),
    submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      const body = {
        // A variant generated from a path on the server names that path as its repository.
        ...(isServerPath(v.repo_url) ? { repo_path: v.repo_url } : { repo_url: v.repo_url }),
        branch: v.branch, ai_provider: provider.value,
        ai_model: model.value.trim(), force: force.checked,
      };
      const started = await api("POST", "/api/generate", body);
      typed.delete(key);
      onStarted(started);
    } catch (failure) {
      onError(failure.message);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
