// Administration: users (create with a role, delete, rotate a key) and, in a variant's
// panel, who else may read its project.
import { api } from "./api.js";
import { shownOnce } from "./keys.js";
import { confirmAction } from "./confirm.js";
import { el, showFailure } from "./dom.js";

export async function renderUsers(section) {
  section.hidden = false;
  const table = el("table", { id: "users" },
    el("caption", { className: "visually-hidden", textContent: "Users" }),
    el("thead", {}, el("tr", {}, ...["User", "Role", "Created", "Actions"].map((h) => el("th", { scope: "col", textContent: h })))));
  const body = el("tbody");
  table.append(body);
  const reveal = el("div", { id: "user-key" });
  const form = el("form", { id: "create-user", className: "row-form" },
    el("div", {}, el("label", { htmlFor: "new-username", textContent: "New user" }),
      el("input", { id: "new-username", name: "username", required: true, autocomplete: "off" })),
    el("div", {}, el("label", { htmlFor: "new-role", textContent: "Role" }),
      el("select", { id: "new-role", name: "role" }, ...["user", "viewer", "admin"].map((r) => el("option", { value: r, textContent: r })))),
    el("button", { type: "submit", className: "primary", textContent: "Create user" }));
  section.replaceChildren(el("h2", { id: "admin-title", textContent: "Users" }), form, reveal, table);

  const refresh = async () => {
    let users = [];
    try {
      users = (await api("GET", "/api/admin/users")).users ?? [];
    } catch (failure) {
      showFailure(section, failure.message);
    }
    body.replaceChildren(...users.map((user) => {
      const rotate = el("button", { type: "button", textContent: "Rotate key" });
      rotate.addEventListener("click", async () => {
        try {
          const rotated = await api("POST", `/api/admin/users/${encodeURIComponent(user.username)}/rotate-key`, {});
          reveal.replaceChildren(shownOnce(`New key for ${user.username}:`, rotated.new_api_key));
        } catch (failure) {
          showFailure(section, failure.message);
        }
      });
      const remove = el("button", { type: "button", className: "danger", textContent: "Delete" });
      remove.addEventListener("click", async () => {
        if (!await confirmAction(`Delete ${user.username}, their sessions and every project they own?`, "Delete user")) return;
        try {
          await api("DELETE", `/api/admin/users/${encodeURIComponent(user.username)}`);
          await refresh();
        } catch (failure) {
          showFailure(section, failure.message);
        }
      });
      return el("tr", {}, el("td", { textContent: user.username }), el("td", { textContent: user.role }),
        el("td", { textContent: user.created_at ?? "" }), el("td", { className: "actions" }, rotate, remove));
    }));
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const username = form.elements.username.value.trim();
    try {
      const created = await api("POST", "/api/admin/users", { username, role: form.elements.role.value });
      reveal.replaceChildren(shownOnce(`Key for ${created.username}:`, created.api_key));
      form.reset();
      await refresh();
    } catch (failure) {
      showFailure(section, failure.message);
    }
  });
  await refresh();
}

/// Who may read `name` of `owner` besides its owner: the list, revoke buttons, a grant form.
export async function renderAccess(container, name, owner) {
  const path = `/api/admin/projects/${encodeURIComponent(name)}/access`;
  const query = `?owner=${encodeURIComponent(owner)}`;
  const list = el("ul", { id: "access-list", className: "plain" });
  const form = el("form", { id: "grant", className: "row-form" },
    el("div", {}, el("label", { htmlFor: "grant-user", textContent: "Share with user" }),
      el("input", { id: "grant-user", name: "username", required: true, autocomplete: "off" })),
    el("button", { type: "submit", textContent: "Grant access" }));
  const box = el("div", { id: "access", className: "access" }, el("h3", { textContent: "Access" }), list, form);
  container.append(box);
  const refresh = async () => {
    try {
      const users = (await api("GET", `${path}${query}`)).users ?? [];
      list.replaceChildren(...(users.length ? users.map((username) => {
        const revoke = el("button", { type: "button", textContent: `Revoke ${username}` });
        revoke.addEventListener("click", async () => {
          try {
            await api("DELETE", `${path}/${encodeURIComponent(username)}${query}`);
            await refresh();
          } catch (failure) {
            showFailure(box, failure.message);
          }
        });
        return el("li", {}, el("span", { textContent: username }), " ", revoke);
      }) : [el("li", { className: "muted", textContent: "Only its owner (and admins) can read it." })]));
    } catch (failure) {
      showFailure(box, failure.message);
    }
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("POST", path, { username: form.elements.username.value.trim(), owner });
      form.reset();
      await refresh();
    } catch (failure) {
      showFailure(box, failure.message);
    }
  });
  await refresh();
}
