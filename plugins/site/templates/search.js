// Client-side search over search-index.json: no server round trip, works from a tarball too.
(function () {
  var input = document.getElementById("search");
  var results = document.getElementById("results");
  var index = null;
  function load() {
    if (index) return Promise.resolve(index);
    return fetch("search-index.json").then(function (r) { return r.json(); })
      .then(function (data) { index = data; return data; });
  }
  function show(query) {
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);
    results.textContent = "";
    if (!words.length) { results.hidden = true; return; }
    load().then(function (pages) {
      var hits = pages.filter(function (p) {
        var text = (p.title + " " + p.description + " " + p.text).toLowerCase();
        return words.every(function (w) { return text.indexOf(w) !== -1; });
      });
      results.textContent = "";
      hits.slice(0, 20).forEach(function (p) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = p.url;
        link.textContent = p.title;
        item.appendChild(link);
        results.appendChild(item);
      });
      if (!hits.length) {
        var none = document.createElement("li");
        none.textContent = "No page matches.";
        results.appendChild(none);
      }
      results.hidden = false;
    });
  }
  if (input) input.addEventListener("input", function () { show(input.value); });
})();
