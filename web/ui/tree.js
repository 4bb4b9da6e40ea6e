// The project tree: repository → branch → variants (provider/model), grouped by owner for
// admins, filtered by the box above it.
import { el } from "./dom.js";

export const variantKey = (v) =>
  [v.owner, v.name, v.branch, v.ai_provider, v.ai_model].join("\u0000");

function groupBy(items, key) {
  const groups = new Map();
  for (const item of items) {
    const k = key(item);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(item);
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
}

function matches(v, filter) {
  if (!filter) return true;
  const text = [v.name, v.branch, v.ai_provider, v.ai_model, v.owner, v.repo_url].join(" ").toLowerCase();
  return filter.toLowerCase().split(/\s+/).every((word) => text.includes(word));
}

const STATUS_WORDS = [["ready", "ready"], ["generating", "generating"], ["error", "failed"], ["aborted", "aborted"]];

/// "2 ready · 1 failed": how a repository's variants stand.
function summary(variants) {
  return STATUS_WORDS
    .map(([status, word]) => [variants.filter((v) => v.status === status).length, word])
    .filter(([n]) => n)
    .map(([n, word]) => `${n} ${word}`)
    .join(" · ");
}

// Newest first, as a person looks for what they just did.
const newestFirst = (a, b) => (b.updated_at ?? "").localeCompare(a.updated_at ?? "");

/// Draws the tree; returns how many variants it shows and the ids of its folders.
export function renderTree(container, projects, { filter, byOwner, selected, onSelect, expanded }) {
  const shown = projects.filter((v) => matches(v, filter));
  const folders = [];
  const list = el("ul", { className: "tree" });
  const folder = (label, id, count, children, note = "") => {
    folders.push(id);
    const open = filter ? true : expanded.has(id) || !expanded.has(`closed:${id}`);
    const toggle = el("button", {
      type: "button",
      className: "folder",
      ariaExpanded: String(open),
      textContent: `${label} `,
    }, el("span", { className: "count", textContent: `(${count})` }));
    if (note) toggle.append(el("span", { className: "summary", textContent: note }));
    toggle.addEventListener("click", () => {
      if (open) expanded.add(`closed:${id}`); else expanded.delete(`closed:${id}`);
      renderTree(container, projects, { filter, byOwner, selected, onSelect, expanded });
    });
    const item = el("li", {}, toggle);
    if (open) item.append(el("ul", {}, ...children));
    return item;
  };
  const variant = (v) => {
    const button = el("button", {
      type: "button",
      className: `variant${selected === variantKey(v) ? " selected" : ""}`,
      title: `${v.ai_provider}/${v.ai_model}: ${v.status}`,
    }, el("span", { className: `dot ${v.status}`, ariaHidden: "true" }), `${v.ai_provider}/${v.ai_model}`,
    el("span", { className: "visually-hidden", textContent: ` (${v.status})` }));
    button.dataset.key = variantKey(v);
    button.addEventListener("click", () => onSelect(v));
    return el("li", {}, button);
  };
  const repositories = (items, prefix) =>
    groupBy(items, (v) => v.name).map(([name, ofName]) =>
      folder(name, `${prefix}/${name}`, ofName.length,
        groupBy(ofName, (v) => v.branch).map(([branch, ofBranch]) =>
          folder(branch, `${prefix}/${name}/${branch}`, ofBranch.length, [...ofBranch].sort(newestFirst).map(variant))),
        summary(ofName)));
  if (byOwner) {
    for (const [owner, items] of groupBy(shown, (v) => v.owner)) {
      list.append(folder(owner, `owner:${owner}`, items.length, repositories(items, owner)));
    }
  } else {
    list.append(...repositories(shown, ""));
  }
  container.replaceChildren(shown.length ? list : el("p", {
    className: "muted",
    textContent: projects.length ? "No project matches the filter." : "No projects yet: generate one.",
  }));
  return { shown: shown.length, folders };
}
