// How the dashboard words what the server reports: times, durations, money, stages, plans.

/// A time as the server stores it (UTC, "YYYY-MM-DD HH:MM:SS"), as a Date; null if absent.
export function serverTime(text) {
  if (!text) return null;
  const iso = text.includes("T") ? text : `${text.replace(" ", "T")}Z`;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

export const localTime = (text) => serverTime(text)?.toLocaleString() ?? "—";

export const dollars = (usd) => (usd
  ? usd.toLocaleString("en-US", { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: usd < 0.01 ? 4 : 2 })
  : "—");

/// Tokens read and written, as "1,200 in · 340 out"; a dash when the provider reported none.
export const tokens = (input, output) => (input || output
  ? `${(input ?? 0).toLocaleString("en-US")} in · ${(output ?? 0).toLocaleString("en-US")} out`
  : "—");

function minutesAndSeconds(whole) {
  const m = Math.floor(whole / 60);
  return m ? `${m} min ${whole % 60} s` : `${whole} s`;
}

export const duration = (seconds) => (seconds == null ? "—" : minutesAndSeconds(Math.round(seconds)));

export const elapsed = (since) => minutesAndSeconds(Math.max(0, Math.floor((Date.now() - since) / 1000)));

const STAGES = {
  queued: "Waiting to start",
  cloning: "Cloning the repository",
  planning: "Planning the documentation",
  incremental_planning: "Deciding which pages changed",
  generating_pages: "Writing pages",
  validating: "Validating pages",
  cross_linking: "Cross-linking pages",
  rendering: "Rendering the site",
  up_to_date: "Up to date",
};

export const stageName = (stage) => STAGES[stage] ?? stage ?? "Starting";

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

/// The web address of a repository and of one of its commits, for the hosts whose layout is
/// known; null for anything else (an SSH remote, a path on the server).
export function repositoryLinks(repoUrl, sha) {
  let url;
  try {
    url = new URL(repoUrl);
  } catch {
    return null;
  }
  if (url.protocol !== "https:") return null;
  const base = `${url.origin}${url.pathname.replace(/\.git$/, "").replace(/\/$/, "")}`;
  const commitPath = { "github.com": "/commit/", "gitlab.com": "/-/commit/", "codeberg.org": "/commit/" }[url.hostname];
  return { repository: base, commit: commitPath && sha ? `${base}${commitPath}${sha}` : null };
}
