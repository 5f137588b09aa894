/* Gradeline compare picker: any two reports side by side, the choice kept in the URL
   (?a=...&b=..., and &org=... on a site of several organisations). Reads one shared data
   file per organisation (data/compare/<id>.js). Without JavaScript the page lists the
   pre-rendered comparisons instead. Builds the DOM with textContent only, so no content can
   become markup. */
(function () {
  "use strict";
  var script = document.currentScript;
  var form = document.getElementById("compare-form");
  var result = document.getElementById("compare-result");
  var orgSelect = document.getElementById("pick-org");
  if (!form || !result) { return; }
  var root = script.getAttribute("data-root");
  var index = script.getAttribute("data-index");
  var data = null;
  var byId = {};

  function useData(loaded) {
    data = loaded;
    byId = {};
    data.inspections.forEach(function (i) { byId[i.id] = i; });
    if (orgSelect) {
      // The reports of the chosen organisation, newest first, as on a one-organisation site.
      ["a", "b"].forEach(function (name) {
        var select = form.elements[name];
        select.textContent = "";
        data.inspections.slice().reverse().forEach(function (i) {
          select.appendChild(el("option", { value: i.id }, [i.short_title + " (" + i.date_label + ")"]));
        });
      });
    }
  }
  function loadOrganisation(org) {
    // A script element rather than fetch(), so that it also works from files on disk.
    return new Promise(function (resolve, reject) {
      var option = Array.prototype.find.call(orgSelect.options, function (o) { return o.value === org; });
      if (!option) { reject(new Error("unknown organisation")); return; }
      orgSelect.value = org;
      window.gradelineCompare = null;
      var s = document.createElement("script");
      s.src = option.getAttribute("data-src");
      s.onload = function () { useData(window.gradelineCompare); resolve(); };
      s.onerror = reject;
      document.head.appendChild(s);
    });
  }

  function link(path) {
    var cut = path.search(/[?#]/);
    var base = cut < 0 ? path : path.slice(0, cut);
    var rest = cut < 0 ? "" : path.slice(cut);
    return root + base + (base.slice(-1) === "/" ? index : "") + rest;
  }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }
  function badge(grade) {
    var css = grade.tone === null ? grade.state : "tone-" + grade.tone;
    return el("span", { "class": "grade " + css }, [grade.label]);
  }
  function change(key) {
    var c = data.changes[key];
    return el("span", { "class": "change change-" + key },
      [el("span", { "class": "change-symbol", "aria-hidden": "true" }, [c[0]]), " " + c[1]]);
  }
  function compareGrades(a, b) {
    if (!a) { return "only-later"; }
    if (!b) { return "only-earlier"; }
    if (a.state !== "graded" || b.state !== "graded") { return "no-grade"; }
    if (a.scale !== b.scale) { return "not-comparable"; }
    if (b.rank < a.rank) { return "better"; }
    if (b.rank > a.rank) { return "worse"; }
    return "same";
  }
  function gradeCell(area) {
    if (!area) { return el("td", {}, [el("span", { "class": "not-assessed" }, ["not in this report"])]); }
    var parts = [badge(area.grade)];
    if (area.published) {
      parts.push(" ", el("span", { "class": "amended" }, ["amended " + area.amended_label + " (" +
        area.reason + "); as published: ", badge(area.published)]));
    }
    parts.push(" ", el("span", { "class": "area-label" }, ["\u201c" + area.label + "\u201d"]));
    return el("td", {}, parts);
  }

  function render(a, b) {
    result.textContent = "";
    if (a.organisation !== b.organisation) {
      result.appendChild(el("p", { "class": "warning" }, ["Choose two reports of the same organisation."]));
      return;
    }
    if (a.id === b.id) {
      result.appendChild(el("p", { "class": "warning" }, ["Choose two different reports."]));
      return;
    }
    var heading = el("h2", { id: "comparison-heading" }, ["Compare " + a.short_title + " and " + b.short_title]);
    result.appendChild(heading);
    var isPair = data.pairs.some(function (p) { return p[0] === a.id && p[1] === b.id; });
    if (isPair) {
      result.appendChild(el("p", {}, [el("a", { href: link("compare/" + a.id + "/" + b.id + "/") },
        ["Permanent page for this comparison"])]));
    }
    (data.notes[(a.framework || "") + "|" + (b.framework || "")] || []).forEach(function (n) {
      result.appendChild(el("p", { "class": "warning comparison-note" }, [n]));
    });
    var before = {}, after = {};
    a.areas.forEach(function (x) { before[x.id] = x; });
    b.areas.forEach(function (x) { after[x.id] = x; });
    var order = b.areas.map(function (x) { return x.id; })
      .concat(a.areas.map(function (x) { return x.id; }).filter(function (id) { return !after[id]; }));
    if (order.length) {
      var tbody = el("tbody");
      order.forEach(function (id) {
        var x = before[id], y = after[id];
        var key = compareGrades(x && x.grade, y && y.grade);
        var changeCell = el("td", {}, [change(key)]);
        if (y && y.published) {
          var asPublished = compareGrades(x && x.grade, y.published);
          if (asPublished !== key) {
            changeCell.appendChild(document.createTextNode(" "));
            changeCell.appendChild(el("span", { "class": "amended" }, ["as published: ", change(asPublished)]));
          }
        }
        tbody.appendChild(el("tr", { "data-area": id }, [
          el("th", { scope: "row" }, [el("a", { href: link("areas/" + id + "/") }, [(y || x).name])]),
          gradeCell(x), gradeCell(y), changeCell]));
      });
      var head = el("thead", {}, [el("tr", {}, ["Area", a.short_title, b.short_title, "Change"].map(
        function (t) { return el("th", { scope: "col" }, [t]); }))]);
      var table = el("table", { "class": "comparison" }, [
        el("caption", {}, ["Grades of " + a.short_title + " and " + b.short_title + ", matched by area"]),
        head, tbody]);
      result.appendChild(el("div", { "class": "table-scroll" }, [table]));
    }
    var fates = el("tbody");
    a.items.forEach(function (item) {
      fates.appendChild(el("tr", {}, [
        el("th", { scope: "row" }, [el("a", { href: link(a.url + "#" + item.id) }, [item.id]), " " + item.text]),
        el("td", {}, [item.group]), el("td", {}, [item.fates[b.id] || "Not mentioned"])]));
    });
    if (a.items.length) {
      result.appendChild(el("h3", {}, ["What " + b.short_title + " says of the findings of " + a.short_title]));
      result.appendChild(el("div", { "class": "table-scroll" }, [el("table", { "class": "fates" }, [
        el("thead", {}, [el("tr", {}, ["Finding", "Kind", "In " + b.short_title].map(
          function (t) { return el("th", { scope: "col" }, [t]); }))]), fates])]));
    }
    heading.setAttribute("tabindex", "-1");
  }

  function choose(a, b) {
    if (byId[a]) { form.elements.a.value = a; }
    if (byId[b]) { form.elements.b.value = b; }
    if (byId[a] && byId[b]) { render(byId[a], byId[b]); } else { result.textContent = ""; }
  }
  function suggest() {
    if (data && data.pairs.length) {
      var last = data.pairs[data.pairs.length - 1];
      form.elements.a.value = last[0];
      form.elements.b.value = last[1];
    }
  }
  function fromUrl() {
    var params = new URLSearchParams(location.search);
    var ready = orgSelect ? loadOrganisation(params.get("org") || orgSelect.value)
      : Promise.resolve();
    return ready.then(function () {
      if (params.get("a") && params.get("b")) { choose(params.get("a"), params.get("b")); }
      else { suggest(); result.textContent = ""; }
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var a = form.elements.a.value, b = form.elements.b.value;
    // Older report first, whichever way round they were chosen.
    var ids = data.inspections.map(function (i) { return i.id; });
    if (ids.indexOf(a) > ids.indexOf(b)) { var t = a; a = b; b = t; }
    var query = (orgSelect ? "?org=" + encodeURIComponent(orgSelect.value) + "&" : "?") +
      "a=" + encodeURIComponent(a) + "&b=" + encodeURIComponent(b);
    history.pushState({ a: a, b: b }, "", query);
    choose(a, b);
    var heading = document.getElementById("comparison-heading");
    if (heading) { heading.focus(); }
  });
  window.addEventListener("popstate", fromUrl);
  if (orgSelect) {
    orgSelect.addEventListener("change", function () {
      loadOrganisation(orgSelect.value).then(suggest);
    });
  } else if (window.gradelineCompare) {
    useData(window.gradelineCompare);
  } else {
    return;
  }
  form.hidden = false;
  fromUrl();
})();
