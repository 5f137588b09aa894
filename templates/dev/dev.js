/* Gradeline dev server client: live reload, and an overlay listing the problems of a
   failed build. Served only by `python build.py serve`, never part of a built site. */
(function () {
  "use strict";
  var reload = document.createElement("script");
  reload.src = "/livereload.js?port=" + (location.port || (location.protocol === "https:" ? 443 : 80));
  document.head.appendChild(reload);

  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = "/__gradeline__/dev.css";
  document.head.appendChild(css);

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  function show(status) {
    var old = document.getElementById("gradeline-overlay");
    if (old) { old.remove(); }
    if (status.ok) { return; }
    var items = status.problems.map(function (p) {
      var where = p.file + ":" + p.line + ":" + p.column;
      return el("li", {}, [el("code", { "class": "problem-where" }, [where]), " ",
        p.field ? el("code", { "class": "problem-field" }, [p.field]) : "", p.field ? ": " : "",
        p.message]);
    });
    var overlay = el("section", { id: "gradeline-overlay", role: "alert",
                                  "aria-labelledby": "gradeline-overlay-title" }, [
      el("h2", { id: "gradeline-overlay-title" }, [status.message]),
      el("ol", { "class": "problems" }, items),
      el("p", {}, ["Save a fix and this page reloads by itself."])]);
    document.body.appendChild(overlay);
  }

  // The build this page was served from; a later one reloads it (or shows its problems).
  // livereload tells an open page of each build, but not a page that was itself reloading at
  // that moment (its socket not yet open again), so the page also asks, now and then.
  var seen = null;
  function check() {
    fetch("/__gradeline__/status.json", { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (status) {
        if (seen !== null && status.build !== seen && status.ok) { location.reload(); return; }
        if (status.build !== seen) { show(status); }
        seen = status.build;
      })
      .catch(function () { /* the server is restarting; livereload reconnects */ });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", check);
  } else {
    check();
  }
  setInterval(check, 1000);
})();
