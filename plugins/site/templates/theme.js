// Runs before the page is painted: the reader's theme choice (kept across pages) is on the
// root element before any colour is drawn, so there is no flash of the other theme.
(function () {
  try {
    var choice = localStorage.getItem("docsfy-site-theme");
    if (choice === "light" || choice === "dark") document.documentElement.dataset.theme = choice;
  } catch (e) { /* storage refused: the system's theme */ }
})();
