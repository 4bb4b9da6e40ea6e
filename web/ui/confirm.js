// A confirmation before something that cannot be undone: a modal dialog (the browser keeps
// the keyboard inside it, Escape cancels), with Cancel focused so Enter alone destroys nothing.
import { el } from "./dom.js";

export function confirmAction(message, confirmLabel) {
  const text = el("p", { id: "confirm-text", textContent: message });
  const cancel = el("button", { type: "button", value: "cancel", textContent: "Cancel" });
  const confirm = el("button", { type: "button", value: "confirm", className: "danger", textContent: confirmLabel });
  const dialog = el("dialog", { id: "confirm-dialog", className: "confirm" }, text, el("div", { className: "actions" }, cancel, confirm));
  dialog.setAttribute("aria-labelledby", "confirm-text");
  document.getElementById("confirm-dialog")?.remove();
  document.body.append(dialog);
  return new Promise((resolve) => {
    cancel.addEventListener("click", () => dialog.close("cancel"));
    confirm.addEventListener("click", () => dialog.close("confirm"));
    const before = document.activeElement;
    dialog.addEventListener("close", () => {
      dialog.remove();
      // After the caller has re-enabled the button that asked (a disabled one takes no focus).
      setTimeout(() => {
        if (before?.isConnected) before.focus();
      });
      resolve(dialog.returnValue === "confirm");
    });
    dialog.showModal();
    cancel.focus();
  });
}
