// Administration: the defaults the next generations use (provider, model, AI timeout, pages
// at once). A key the operator set in the config file or the environment is shown, not
// editable: the server would keep using the operator's value.
import { api } from "./api.js";
import { el } from "./dom.js";

const FIELDS = [
  { key: "ai_provider", label: "Default provider", kind: "provider" },
  { key: "ai_model", label: "Default model", kind: "text" },
  { key: "ai_cli_timeout", label: "AI call timeout (seconds)", kind: "number" },
  { key: "max_concurrent_pages", label: "Pages written at once", kind: "number" },
];

export async function renderSettings(section) {
  section.hidden = false;
  const status = el("p", { id: "settings-status", role: "status" });
  // The server judges the values and says what is wrong in its own words.
  const form = el("form", { id: "settings", className: "row-form", noValidate: true });
  section.replaceChildren(el("h2", { id: "settings-title", textContent: "Defaults" }),
    el("p", { className: "muted", textContent: "Used by generations that do not choose for themselves." }), form, status);
  let shown;
  let providers = [];
  try {
    [shown, providers] = await Promise.all([
      api("GET", "/api/admin/settings"),
      api("GET", "/api/models").then((m) => m.providers ?? []),
    ]);
  } catch (failure) {
    status.className = "error";
    status.textContent = failure.message;
    return;
  }
  const controls = FIELDS.map(({ key, label, kind }) => {
    const id = `setting-${key}`;
    const fixed = (shown.overridden ?? []).includes(key);
    const value = String(shown.settings?.[key] ?? "");
    const control = kind === "provider"
      ? el("select", { id, name: key }, ...providers.map((p) => el("option", { value: p, textContent: p })))
      : el("input", { id, name: key, type: kind === "number" ? "number" : "text", min: kind === "number" ? "1" : undefined });
    control.value = value;
    control.disabled = fixed;
    const cell = el("div", {}, el("label", { htmlFor: id, textContent: label }), control);
    if (fixed) cell.append(el("p", { className: "muted small", textContent: "Set by the server's configuration." }));
    return { key, kind, control, fixed, value };
  });
  form.replaceChildren(...controls.map(({ control }) => control.parentElement),
    el("button", { type: "submit", className: "primary", textContent: "Save defaults" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const changed = {};
    for (const { key, kind, control, fixed, value } of controls) {
      if (fixed || control.value === value) continue;
      changed[key] = kind === "number" ? Number(control.value) : control.value.trim();
    }
    try {
      const saved = await api("PUT", "/api/admin/settings", changed);
      for (const field of controls) {
        field.value = String(saved.settings?.[field.key] ?? "");
        field.control.value = field.value;
      }
      status.className = "";
      status.textContent = "Saved.";
    } catch (failure) {
      status.className = "error";
      status.textContent = failure.message;
    }
  });
}
