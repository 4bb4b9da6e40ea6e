// Applies the stored theme before the page paints (a module in <head>), and keeps the
// selector, if the page has one, in step with it.
const KEY = "docsfy-theme";

export function applyTheme(choice) {
  const root = document.documentElement;
  if (choice === "light" || choice === "dark") {
    root.dataset.theme = choice;
  } else {
    delete root.dataset.theme;
  }
}

applyTheme(localStorage.getItem(KEY) || "system");

document.addEventListener("DOMContentLoaded", () => {
  const select = document.getElementById("theme");
  if (!select) return;
  select.value = localStorage.getItem(KEY) || "system";
  select.addEventListener("change", () => {
    localStorage.setItem(KEY, select.value);
    applyTheme(select.value);
  });
});
