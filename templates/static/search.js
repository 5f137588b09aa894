/* Gradeline search page: Pagefind's index, queried in the browser, with year and kind
   filters. The query and filters live in the URL (?q=...&year=...&kind=...), so the header
   search box and shared links both work. Results are built with textContent; only
   Pagefind's <mark> highlighting is kept from its excerpts. */
(function () {
  "use strict";
  var script = document.currentScript;
  var form = document.getElementById("search-form");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var index = script.getAttribute("data-index");
  var pagefindUrl = new URL(script.getAttribute("data-pagefind"), location.href).href;
  // Result URLs are relative to the site's root folder, wherever the site is published.
  var siteRoot = new URL("../", location.href).pathname;
  var pagefind = null;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }
  function excerpt(html) {
    // Pagefind marks matches with <mark>; keep those, and only those, as elements.
    var p = el("p", { "class": "excerpt" });
    html.split(/(<mark>.*?<\/mark>)/).forEach(function (part) {
      var m = /^<mark>(.*)<\/mark>$/.exec(part);
      var text = (m ? m[1] : part).replace(/&lt;/g, "<").replace(/&gt;/g, ">")
        .replace(/&quot;/g, "\"").replace(/&#39;/g, "'").replace(/&amp;/g, "&");
      p.appendChild(m ? el("mark", {}, [text]) : document.createTextNode(text));
    });
    return p;
  }
  function link(url) {
    var path = url.replace(/^\//, "");
    if (index && (path === "" || path.slice(-1) === "/")) { path += index; }
    return siteRoot + path;
  }
  function fillFilter(select, values, chosen) {
    Object.keys(values).sort().reverse().forEach(function (value) {
      select.appendChild(el("option", { value: value }, [value + " (" + values[value] + ")"]));
    });
    select.value = chosen || "";
  }

  async function run() {
    var params = new URLSearchParams(location.search);
    var q = (params.get("q") || "").trim();
    form.elements.q.value = q;
    var filters = {};
    ["year", "kind"].forEach(function (key) {
      if (params.get(key)) { filters[key] = params.get(key); }
    });
    if (!q && !Object.keys(filters).length) {
      status.textContent = "Type words to find, or choose a year or kind.";
      return;
    }
    status.textContent = "Searching…";
    var search = await pagefind.search(q || null, { filters: filters });
    var results = await Promise.all(search.results.slice(0, 30).map(function (r) { return r.data(); }));
    list.textContent = "";
    results.forEach(function (data) {
      var meta = [data.filters.kind, data.filters.year].filter(Boolean).map(function (v) {
        return v.join ? v.join(", ") : v;
      }).join(" · ");
      list.appendChild(el("li", {}, [
        el("h2", {}, [el("a", { href: link(data.url) }, [data.meta.title || data.url])]),
        meta ? el("p", { "class": "meta" }, [meta]) : "",
        excerpt(data.excerpt)]));
    });
    var n = search.results.length;
    status.textContent = n === 0 ? "No pages match." :
      n + " page" + (n === 1 ? "" : "s") + " match" + (n === 1 ? "es" : "") +
      (n > 30 ? "; showing the first 30." : ".");
  }

  async function start() {
    try {
      pagefind = await import(pagefindUrl);
      await pagefind.options({ baseUrl: "/" });
      var available = await pagefind.filters();
      var params = new URLSearchParams(location.search);
      fillFilter(form.elements.year, available.year || {}, params.get("year"));
      fillFilter(form.elements.kind, available.kind || {}, params.get("kind"));
    } catch (error) {
      status.textContent = location.protocol === "file:" ?
        "Search works when the site is served by a web server, not opened as files." :
        "The search index could not be loaded.";
      return;
    }
    await run();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var params = new URLSearchParams();
    ["q", "year", "kind"].forEach(function (key) {
      var value = form.elements[key].value.trim();
      if (value) { params.set(key, value); }
    });
    history.pushState(null, "", "?" + params.toString());
    run();
  });
  window.addEventListener("popstate", run);
  start();
})();
