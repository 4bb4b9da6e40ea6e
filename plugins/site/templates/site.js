// The site's behaviour: theme choice, the sidebar on small screens, copy buttons on code,
// the "On this page" scroll-spy, ← / → between pages, and the search dialog (/ or Ctrl-K)
// over search-index.json, ranked in the browser with no server round trip.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };

  // Theme: system, light or dark; kept for every page of the site.
  var theme = $("docsfy-theme");
  if (theme) {
    theme.value = document.documentElement.dataset.theme || "system";
    theme.addEventListener("change", function () {
      var choice = theme.value;
      try {
        if (choice === "system") localStorage.removeItem("docsfy-site-theme");
        else localStorage.setItem("docsfy-site-theme", choice);
      } catch (e) { /* not kept: still applied to this page */ }
      if (choice === "system") delete document.documentElement.dataset.theme;
      else document.documentElement.dataset.theme = choice;
    });
  }

  // The sidebar behind a button on narrow screens.
  var menu = $("docsfy-menu");
  if (menu) {
    menu.addEventListener("click", function () {
      var open = document.body.classList.toggle("nav-open");
      menu.setAttribute("aria-expanded", open ? "true" : "false");
      menu.setAttribute("aria-label", open ? "Hide the pages" : "Show the pages");
    });
  }

  // A copy button on every code block.
  document.querySelectorAll(".code-block").forEach(function (block) {
    var head = block.querySelector(".code-head");
    var code = block.querySelector("pre code");
    if (!head || !code) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy the code");
    button.addEventListener("click", function () {
      var done = function () {
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = "Copy"; }, 1500);
      };
      var text = code.textContent;
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text); done(); });
      } else {
        fallbackCopy(text);
        done();
      }
    });
    head.appendChild(button);
  });
  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "offscreen";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing more to try */ }
    document.body.removeChild(area);
  }

  // "On this page": the link of the section being read is marked.
  var toc = $("docsfy-toc");
  if (toc && "IntersectionObserver" in window) {
    var links = {};
    toc.querySelectorAll("a[href^='#']").forEach(function (a) {
      links[decodeURIComponent(a.getAttribute("href").slice(1))] = a;
    });
    var headings = Array.prototype.filter.call(
      document.querySelectorAll(".content h2[id], .content h3[id]"),
      function (h) { return links[h.id]; });
    var visible = {};
    var mark = function () {
      var current = null;
      for (var i = 0; i < headings.length; i++) {
        if (visible[headings[i].id]) { current = headings[i].id; break; }
      }
      if (!current) {
        // Between headings: the last one above the top of the window.
        for (var j = 0; j < headings.length; j++) {
          if (headings[j].getBoundingClientRect().top < 80) current = headings[j].id;
        }
      }
      Object.keys(links).forEach(function (id) {
        if (id === current) links[id].setAttribute("aria-current", "true");
        else links[id].removeAttribute("aria-current");
      });
    };
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) { visible[e.target.id] = e.isIntersecting; });
      mark();
    }, { rootMargin: "-64px 0px -55% 0px" });
    headings.forEach(function (h) { observer.observe(h); });
  }

  // Search.
  var dialog = $("docsfy-search");
  var input = $("docsfy-search-input");
  var results = $("docsfy-search-results");
  var status = $("docsfy-search-status");
  var index = null;
  var loading = null;
  var hits = [];
  var selected = -1;

  function load() {
    if (index) return Promise.resolve(index);
    if (!loading) {
      loading = fetchIndex().then(function (data) {
        data.sections.forEach(function (s) {
          var page = data.pages[s.p];
          s.title = page.t.toLowerCase();
          s.head = s.h.toLowerCase();
          s.body = s.x.toLowerCase();
        });
        index = data;
        return data;
      });
    }
    return loading;
  }

  // Over HTTP the JSON; from disk (a downloaded site opened in a browser, where fetch is
  // refused) the same index as a script.
  function fetchIndex() {
    if (location.protocol !== "file:") {
      return fetch("search-index.json").then(function (r) {
        if (!r.ok) throw new Error("search-index.json: " + r.status);
        return r.json();
      });
    }
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = "search-index.js";
      script.onload = function () { resolve(window.docsfySearchIndex); };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function words(query) {
    return query.toLowerCase().split(/[^\p{L}\p{N}_]+/u).filter(Boolean);
  }

  // Where `word` starts a word of `text` (a prefix match), or -1.
  function startsWord(text, word) {
    var at = text.indexOf(word);
    while (at !== -1) {
      if (at === 0 || !/[\p{L}\p{N}_]/u.test(text.charAt(at - 1))) return at;
      at = text.indexOf(word, at + 1);
    }
    return -1;
  }

  // A word found in the title weighs most, in the section's heading less, in its text least;
  // a whole word more than a prefix. Every word must be found somewhere.
  function score(section, query) {
    var total = 0;
    for (var i = 0; i < query.length; i++) {
      var word = query[i];
      var best = 0;
      [[section.title, 10], [section.head, 5], [section.body, 1]].forEach(function (field) {
        var at = startsWord(field[0], word);
        if (at === -1) return;
        var end = at + word.length;
        var whole = end === field[0].length || !/[\p{L}\p{N}_]/u.test(field[0].charAt(end));
        best = Math.max(best, field[1] * (whole ? 1.5 : 1));
      });
      if (!best) return 0;
      total += best;
    }
    return total;
  }

  function snippet(section, query) {
    var text = section.x;
    var first = -1;
    query.forEach(function (w) {
      var at = startsWord(section.body, w);
      if (at !== -1 && (first === -1 || at < first)) first = at;
    });
    var start = Math.max(0, first - 40);
    var piece = (start > 0 ? "…" : "") + text.slice(start, start + 160) + (start + 160 < text.length ? "…" : "");
    return piece;
  }

  // The snippet as text nodes, each query word's prefix match inside <mark>.
  function marked(text, query) {
    var fragment = document.createDocumentFragment();
    var lower = text.toLowerCase();
    var pos = 0;
    while (pos < text.length) {
      var next = -1, length = 0;
      query.forEach(function (w) {
        var at = startsWord(lower.slice(pos), w);
        if (at !== -1 && (next === -1 || at < next)) { next = at; length = w.length; }
      });
      if (next === -1) break;
      fragment.appendChild(document.createTextNode(text.slice(pos, pos + next)));
      var m = document.createElement("mark");
      m.textContent = text.slice(pos + next, pos + next + length);
      fragment.appendChild(m);
      pos += next + length;
    }
    fragment.appendChild(document.createTextNode(text.slice(pos)));
    return fragment;
  }

  function select(i) {
    var items = results.querySelectorAll("li");
    if (!items.length) { selected = -1; input.setAttribute("aria-activedescendant", ""); return; }
    selected = (i + items.length) % items.length;
    items.forEach(function (item, n) { item.setAttribute("aria-selected", n === selected ? "true" : "false"); });
    input.setAttribute("aria-activedescendant", items[selected].id);
    items[selected].scrollIntoView({ block: "nearest" });
  }

  function show() {
    var query = words(input.value);
    results.textContent = "";
    hits = [];
    if (!query.length) { status.textContent = ""; select(-1); return; }
    load().then(function (data) {
      if (words(input.value).join(" ") !== query.join(" ")) return;
      hits = data.sections.map(function (s) { return { s: s, score: score(s, query) }; })
        .filter(function (h) { return h.score > 0; })
        .sort(function (a, b) { return b.score - a.score || a.s.p - b.s.p; })
        .slice(0, 12);
      results.textContent = "";
      hits.forEach(function (hit, n) {
        var page = data.pages[hit.s.p];
        var item = document.createElement("li");
        item.id = "docsfy-hit-" + n;
        item.setAttribute("role", "option");
        var link = document.createElement("a");
        link.href = page.u + (hit.s.a ? "#" + hit.s.a : "");
        link.tabIndex = -1;
        var where = document.createElement("span");
        where.className = "hit-where";
        where.textContent = page.g;
        var title = document.createElement("span");
        title.className = "hit-title";
        title.appendChild(marked(page.t + (hit.s.h ? " › " + hit.s.h : ""), query));
        var text = document.createElement("span");
        text.className = "hit-text";
        text.appendChild(marked(snippet(hit.s, query), query));
        link.appendChild(where);
        link.appendChild(title);
        link.appendChild(text);
        item.appendChild(link);
        results.appendChild(item);
      });
      status.textContent = hits.length ? hits.length + (hits.length === 1 ? " result" : " results") : "No page matches.";
      select(0);
    }, function () { status.textContent = "The search index could not be loaded."; });
  }

  function open() {
    if (!dialog || dialog.open) return;
    dialog.showModal();
    input.select();
    load().catch(function () { /* said when a search runs */ });
  }

  if (dialog) {
    $("docsfy-search-open").addEventListener("click", open);
    $("docsfy-search-close").addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("click", function (e) { if (e.target === dialog) dialog.close(); });
    input.addEventListener("input", show);
    input.addEventListener("keydown", function (e) {
      // A search field's own Escape would only clear it: one Escape closes the dialog.
      if (e.key === "Escape") { e.preventDefault(); dialog.close(); }
      else if (e.key === "ArrowDown") { e.preventDefault(); select(selected + 1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); select(selected - 1); }
      else if (e.key === "Enter") {
        e.preventDefault();
        var link = results.querySelector("li[aria-selected='true'] a") || results.querySelector("li a");
        if (link) { dialog.close(); location.href = link.href; }
      }
    });
  }

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  document.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === "k") {
      e.preventDefault();
      open();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey || e.shiftKey || typing(e.target) || (dialog && dialog.open)) return;
    if (e.key === "/") { e.preventDefault(); open(); return; }
    var rel = e.key === "ArrowLeft" ? "prev" : e.key === "ArrowRight" ? "next" : null;
    var link = rel && document.querySelector(".pager a[rel='" + rel + "']");
    if (link) { e.preventDefault(); location.href = link.href; }
  });
})();
