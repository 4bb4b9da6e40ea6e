// The selected variant: what a person wants to know about it, and what can be done with it.
import { api, variantPath, docsPath } from "./api.js";
import { confirmAction } from "./confirm.js";
import { dollars, duration, elapsed, localTime, plannedPages, repositoryLinks, stageName, tokens } from "./format.js";
import { isServerPath, regenerateForm } from "./regenerate.js";
import { el } from "./dom.js";

const link = (href, text) => (href ? el("a", { href, textContent: text, rel: "noopener noreferrer" }) : text);

function fieldList(v) {
  const links = repositoryLinks(v.repo_url, v.last_commit_sha);
  const fields = [
    ["Repository", link(links?.repository, v.repo_url || "—")],
    ["Branch", v.branch],
    ["Provider / model", `${v.ai_provider} / ${v.ai_model}`],
    ["Owner", v.owner],
    ["Status", v.status],
    ["Commit", v.last_commit_sha ? link(links?.commit, v.last_commit_sha.slice(0, 12)) : "—"],
    ["Pages", String(v.page_count ?? 0)],
    ["Last generated", localTime(v.last_generated)],
    ["Generation", v.generation_id ?? "—"],
    ["Started", localTime(v.generation_started_at)],
    ["Took", v.status === "generating" ? "—" : duration(v.generation_duration)],
    ["Cost", dollars(v.total_cost_usd)],
    ["Tokens", tokens(v.total_input_tokens, v.total_output_tokens)],
  ];
  const list = el("dl", { className: "fields" });
  for (const [name, value] of fields) list.append(el("dt", { textContent: name }), el("dd", {}, value));
  return list;
}

function progress(v, startedAt) {
  const total = plannedPages(v.plan_json);
  const done = v.page_count ?? 0;
  const bar = el("progress", { id: "progress", max: Math.max(total, 1), value: total ? done : 0 });
  bar.setAttribute("aria-label", "Pages written");
  const percent = total ? ` (${Math.round((100 * done) / total)}%)` : "";
  return [
    el("p", { id: "stage", className: "stage", textContent: stageName(v.current_stage) }),
    bar,
    el("p", { id: "progress-text", textContent: total ? `${done} of ${total} pages${percent}` : "Planning…" }),
    el("p", { id: "elapsed", className: "muted", textContent: `Elapsed ${elapsed(startedAt)}` }),
  ];
}

/// Draws `v` into `section`. `suggest(provider)` lists models to offer; `onStarted` gets the
/// answer to a regeneration; `onDone` redraws after an action, `onError` shows its failure.
export function renderDetail(section, v, { me, log, startedAt, providers, suggest, onStarted, onDone, onError }) {
  section.hidden = false;
  // Admins see every owner's variants, and the server asks them to say whose they mean.
  const ownerQuery = me.is_admin ? `?owner=${encodeURIComponent(v.owner)}` : "";
  const mayWrite = me.role !== "viewer";
  const act = (label, className, handler) => {
    const button = el("button", { type: "button", className, textContent: label });
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        // A handler answers false when the person changed their mind: nothing to redraw.
        if ((await handler()) !== false) onDone();
      } catch (failure) {
        onError(failure.message);
      } finally {
        button.disabled = false;
      }
    });
    return button;
  };
  const title = `${v.name} · ${v.branch} · ${v.ai_provider}/${v.ai_model}`;
  const children = [el("h2", { id: "detail-title", textContent: `${v.name} · ${v.branch}` }), fieldList(v)];
  if (v.status === "generating") {
    children.push(...progress(v, startedAt));
    if (mayWrite) {
      children.push(act("Abort", "danger", async () => {
        if (!await confirmAction(`Abort the generation of ${title}? The pages written so far are discarded; the last good site stays.`, "Abort")) return false;
        return api("POST", variantPath(v, `/abort${ownerQuery}`));
      }));
    }
  }
  if (v.status === "ready") {
    const upToDate = v.current_stage === "up_to_date";
    children.push(el("p", { className: "notice", role: "status",
      textContent: upToDate ? "The documentation was already up to date with the branch." : "The documentation is ready." }));
  }
  if (log.length) {
    const items = log.map((entry) => el("li", {}, el("time", { textContent: entry.time }), ` ${entry.text ?? stageName(entry.stage)}`));
    children.push(el("h3", { textContent: "Activity" }), el("ol", { id: "activity", className: "activity" }, ...items));
  }
  if (v.error_message && (v.status === "error" || v.status === "aborted")) {
    children.push(el("p", { className: "error", role: "alert", textContent: v.error_message }));
  }
  const actions = el("div", { className: "actions" });
  if (v.status === "ready") {
    actions.append(
      el("a", { className: "button primary", href: `${docsPath(v)}${ownerQuery}`, textContent: "View docs" }),
      el("a", { className: "button", href: variantPath(v, `/download${ownerQuery}`), textContent: "Download" }),
    );
  }
  if (v.status !== "generating" && mayWrite) {
    actions.append(act("Delete", "danger", async () => {
      if (!await confirmAction(`Delete ${title}? Its documentation is removed.`, "Delete")) return false;
      return api("DELETE", variantPath(v, ownerQuery));
    }));
    actions.append(act(`Delete every variant of ${v.name}`, "danger", async () => {
      if (!await confirmAction(`Delete every variant of ${v.name} owned by ${v.owner}? All of its documentation is removed.`, "Delete all")) return false;
      return api("DELETE", `/api/projects/${encodeURIComponent(v.name)}${ownerQuery}`);
    }));
  }
  children.push(actions);
  const mayRegenerate = v.repo_url && v.owner === me.username && mayWrite && (me.is_admin || !isServerPath(v.repo_url));
  if (v.status !== "generating" && mayRegenerate) {
    children.push(regenerateForm(v, { providers, suggest, onStarted, onError }));
  }
  section.replaceChildren(...children);
}
