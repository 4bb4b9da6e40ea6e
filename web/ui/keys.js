// A new API key, shown once with a copy button: the server keeps only its hash.
import { el } from "./dom.js";

export function shownOnce(label, key) {
  const code = el("code", { className: "new-key", textContent: key });
  const copy = el("button", { type: "button", textContent: "Copy" });
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(key);
      copy.textContent = "Copied";
    } catch {
      copy.textContent = "Select the key and copy it";
    }
  });
  const done = el("button", { type: "button", textContent: "Done" });
  const card = el("div", { className: "key-once", role: "status" },
    el("p", {}, el("strong", { textContent: label }), " It is shown only this once."),
    el("p", {}, code, " ", copy, " ", done));
  done.addEventListener("click", () => card.remove());
  return card;
}
