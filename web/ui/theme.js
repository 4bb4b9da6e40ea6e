// Applies the stored theme before the page paints (a classic script in <head>, which blocks
// rendering, unlike a module), and keeps the selector, if the page has one, in step with it.
(function () {
  var KEY = "docsfy-theme";
  function apply(choice) {
    var root = document.documentElement;
    if (choice === "light" || choice === "dark") {
      root.dataset.theme = choice;
    } else {
      delete root.dataset.theme;
    }
  }
  apply(localStorage.getItem(KEY) || "system");
  document.addEventListener("DOMContentLoaded", function () {
    var select = document.getElementById("theme");
    if (!select) return;
    select.value = localStorage.getItem(KEY) || "system";
    select.addEventListener("change", function () {
      localStorage.setItem(KEY, select.value);
      apply(select.value);
    });
  });
})();
