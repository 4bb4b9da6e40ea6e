// The selected variant: what a person wants to know about it, and what can be done with it.
import { api, variantPath, docsPath } from "./api.js";

const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};

/// How many pages the plan holds, wherever its groups keep them.
export function plannedPages(planJson) {
  if (!planJson) return 0;
  let plan;
  try {
    plan = JSON.parse(planJson);
  } catch {
    return 0;
  }
  let count = 0;
  const walk = (node) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === "object") {
      if (Array.isArray(node.pages)) count += node.pages.length;
      else Object.values(node).forEach(walk);
    }
  };
  walk(plan.navigation ?? plan);
  return count;
}

const STAGES = {
  cloning: "Cloning the repository",
  planning: "Planning the documentation",
  incremental_planning: "Deciding which pages changed",
  generating_pages: "Writing pages",
  validating: "Validating pages",
  cross_linking: "Cross-linking pages",
  rendering: "Rendering the site",
  up_to_date: "Up to date",
};

const stageName = (stage) => STAGES[stage] ?? stage ?? "Starting";

export function elapsed(since) {
  const seconds = Math.max(0, Math.floor((Date.now() - since) / 1000));
  const m = Math.floor(seconds / 60);
  return m ? `${m} min ${seconds % 60} s` : `${seconds} s`;
}

export function renderDetail(section, v, { me, log, startedAt, onDone, onError }) {
  section.hidden = false;
  // Admins see every owner's variants, and the server asks them to say whose they mean.
  const ownerQuery = me.is_admin ? `?owner=${encodeURIComponent(v.owner)}` : "";
  const act = (label, className, handler) => {
    const button = el("button", { type: "button", className, textContent: label });
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        await handler();
        onDone();
      } catch (failure) {
        onError(failure.message);
      } finally {
        button.disabled = false;
      }
    });
    return button;
  };
  const fields = [
    ["Repository", v.repo_url || "(a path on the server)"],
    ["Branch", v.branch],
    ["Provider / model", `${v.ai_provider} / ${v.ai_model}`],
    ["Owner", v.owner],
    ["Status", v.status],
    ["Commit", v.last_commit_sha ? v.last_commit_sha.slice(0, 12) : "—"],
    ["Pages", String(v.page_count ?? 0)],
    ["Last generated", v.last_generated || "—"],
  ];
  const list = el("dl", { className: "fields" });
  for (const [name, value] of fields) list.append(el("dt", { textContent: name }), el("dd", { textContent: value }));
  const children = [el("h2", { id: "detail-title", textContent: `${v.name} · ${v.branch}` }), list];
  if (v.status === "generating") {
    const total = plannedPages(v.plan_json);
    const done = v.page_count ?? 0;
    const bar = el("progress", { id: "progress", max: Math.max(total, 1), value: total ? done : 0 });
    bar.setAttribute("aria-label", "Pages written");
    children.push(
      el("p", { id: "stage", className: "stage", textContent: stageName(v.current_stage) }),
      bar,
      el("p", { id: "progress-text", textContent: total ? `${done} of ${total} pages` : "Planning…" }),
      el("p", { id: "elapsed", className: "muted", textContent: `Elapsed ${elapsed(startedAt)}` }),
      act("Abort", "danger", () => api("POST", variantPath(v, `/abort${ownerQuery}`))),
    );
  }
  if (log.length) {
    const items = log.map((entry) => el("li", {}, el("time", { textContent: entry.time }), ` ${stageName(entry.stage)}`));
    children.push(el("h3", { textContent: "Activity" }), el("ol", { id: "activity", className: "activity" }, ...items));
  }
  if (v.error_message && (v.status === "error" || v.status === "aborted")) {
    children.push(el("p", { className: "error", role: "alert", textContent: v.error_message }));
  }
  const regenerate = () => api("POST", "/api/generate", {
    ...(v.repo_url ? { repo_url: v.repo_url } : {}),
    branch: v.branch, ai_provider: v.ai_provider, ai_model: v.ai_model, force: false,
  });
  const actions = el("div", { className: "actions" });
  if (v.status === "ready") {
    actions.append(
      el("a", { className: "button primary", href: `${docsPath(v)}${ownerQuery}`, textContent: "View docs" }),
      el("a", { className: "button", href: variantPath(v, `/download${ownerQuery}`), textContent: "Download" }),
    );
  }
  if (v.status !== "generating") {
    if (v.repo_url && v.owner === me.username) actions.append(act("Regenerate", "", regenerate));
    actions.append(act("Delete", "danger", async () => {
      if (!confirm(`Delete ${v.name} ${v.branch} ${v.ai_provider}/${v.ai_model}? Its documentation is removed.`)) {
        return;
      }
      await api("DELETE", variantPath(v, ownerQuery));
    }));
  }
  children.push(actions);
  section.replaceChildren(...children);
}
