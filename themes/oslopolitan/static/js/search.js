// The search page: runs the site's own Pagefind index (made by `polis build`,
// served from the site under /pagefind/) for the query in the address (the
// header's field sends it there) and as the reader types. The results, a
// count announced to screen readers, and one select per filter (kind, topic,
// municipality: the index of this page's language has them in its language).
(function () {
  "use strict";
  var form = document.querySelector(".search-form[data-bundle]");
  if (!form) return;
  var input = form.querySelector("input[name=q]");
  var status = document.querySelector(".search-status");
  var list = document.querySelector(".search-results");
  var fieldset = form.querySelector(".search-filters");
  var filterBox = form.querySelector(".search-filter-list");
  var bundle = form.getAttribute("data-bundle");
  var lang = document.documentElement.lang || "en";
  var plural = new Intl.PluralRules(lang);
  var selects = {};
  var pagefind = null;
  var latest = 0;
  var timer = null;

  function text(key, query, count) {
    return form.getAttribute("data-" + key)
      .replace("{query}", query)
      .replace("{count}", String(count));
  }

  function load() {
    if (!pagefind) {
      pagefind = import(bundle + "pagefind.js").then(function (pf) {
        return pf.options({ bundlePath: bundle }).then(function () {
          return pf.filters();
        }).then(function (filters) {
          showFilters(filters);
          return pf;
        });
      });
    }
    return pagefind;
  }

  function showFilters(filters) {
    var names = Object.keys(filters).sort();
    names.forEach(function (name, i) {
      var values = Object.keys(filters[name]).sort(function (a, b) {
        return a.localeCompare(b, lang);
      });
      if (!values.length) return;
      var id = "search-filter-" + i;
      var wrap = document.createElement("div");
      wrap.className = "search-filter";
      var label = document.createElement("label");
      label.htmlFor = id;
      label.textContent = name;
      var select = document.createElement("select");
      select.id = id;
      select.name = "filter-" + name;
      var any = document.createElement("option");
      any.value = "";
      any.textContent = form.getAttribute("data-any");
      select.appendChild(any);
      values.forEach(function (v) {
        var o = document.createElement("option");
        o.value = v;
        o.textContent = v;
        select.appendChild(o);
      });
      select.addEventListener("change", function () { run(); });
      selects[name] = select;
      wrap.appendChild(label);
      wrap.appendChild(select);
      filterBox.appendChild(wrap);
    });
    fieldset.hidden = names.length === 0;
  }

  function chosenFilters() {
    var out = {};
    Object.keys(selects).forEach(function (name) {
      if (selects[name].value) out[name] = selects[name].value;
    });
    return out;
  }

  function run() {
    var query = input.value.trim();
    var id = ++latest;
    var url = new URL(window.location.href);
    if (query) url.searchParams.set("q", query); else url.searchParams.delete("q");
    window.history.replaceState(null, "", url);
    if (!query) {
      status.textContent = "";
      list.textContent = "";
      return;
    }
    status.textContent = text("loading", query, 0);
    load().then(function (pf) {
      return pf.search(query, { filters: chosenFilters() });
    }).then(function (search) {
      if (id !== latest) return null;
      return Promise.all(search.results.slice(0, 20).map(function (r) { return r.data(); }))
        .then(function (pages) { return { total: search.results.length, pages: pages }; });
    }).then(function (found) {
      if (!found || id !== latest) return;
      show(found.pages);
      if (found.total === 0) {
        status.textContent = text("no-results", query, 0);
      } else if (plural.select(found.total) === "one") {
        status.textContent = text("result-one", query, found.total);
      } else {
        status.textContent = text("results-many", query, found.total);
      }
    });
  }

  function show(pages) {
    list.textContent = "";
    pages.forEach(function (page) {
      var li = document.createElement("li");
      li.className = "search-result";
      var h = document.createElement("h2");
      var a = document.createElement("a");
      a.href = page.url;
      a.textContent = (page.meta && page.meta.title) || page.url;
      h.appendChild(a);
      li.appendChild(h);
      var meta = document.createElement("p");
      meta.className = "search-result-meta";
      meta.textContent = [page.meta.kind, page.meta.date].filter(Boolean).join(" · ");
      li.appendChild(meta);
      var excerpt = document.createElement("p");
      excerpt.className = "search-result-excerpt";
      // Pagefind's excerpt is the page's text, escaped, with the words found
      // in <mark>.
      excerpt.innerHTML = page.excerpt;
      li.appendChild(excerpt);
      list.appendChild(li);
    });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    clearTimeout(timer);
    run();
  });
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(run, 250);
  });
  var q = new URLSearchParams(window.location.search).get("q");
  if (q) {
    input.value = q;
    run();
  } else {
    load();
  }
})();
