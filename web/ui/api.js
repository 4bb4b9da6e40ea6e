// The API as the web app calls it: JSON in and out, the server's own message on failure.
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// Set once the page must stay as it is though the session ends (a new key on screen).
let held = false;
export const holdPage = () => { held = true; };
export const releasePage = () => { held = false; };
export const pageHeld = () => held;

export async function api(method, path, body) {
  const init = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, "The server cannot be reached.");
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  // A session that expired or was revoked: back to the login page (which asks for the key).
  if (response.status === 401 && location.pathname !== "/login" && !held) {
    location.assign("/login");
  }
  if (!response.ok) {
    const detail = data && typeof data.detail === "string" ? data.detail : `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, detail);
  }
  return data;
}

// A variant's segments as its routes take them: a branch's "/" and "~" escaped as the
// server reads them (~2F, ~7E), every segment percent-encoded.
function segments(v) {
  const branch = v.branch.replaceAll("~", "~7E").replaceAll("/", "~2F");
  return [v.name, branch, v.ai_provider, v.ai_model].map(encodeURIComponent).join("/");
}

export function variantPath(v, tail = "") {
  return `/api/projects/${segments(v)}${tail}`;
}

export function docsPath(v) {
  return `/docs/${segments(v)}/index.html`;
}
