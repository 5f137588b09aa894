/* Gradeline compare picker: any two reports side by side, of one organisation or of two, the
   choice kept in the URL (?a=...&b=...). The page's index (#compare-index) says which
   organisation each report belongs to and where its data file is; each data file
   (data/compare/<id>.js) holds one organisation's reports, with the table of how any two
   grades compare, made by the build: this script looks things up, it decides nothing.
   Without JavaScript the page lists the pre-rendered comparisons instead. Builds the DOM
   with textContent only, so no content can become markup. */
(function () {
  "use strict";
  var script = document.currentScript;
  var form = document.getElementById("compare-form");
  var result = document.getElementById("compare-result");
  var indexNode = document.getElementById("compare-index");
  if (!form || !result || !indexNode) { return; }
  var root = script.getAttribute("data-root");
  var indexFile = script.getAttribute("data-index");
  var index = JSON.parse(indexNode.textContent);
  var loaded = {};   // organisation id -> its data
  var byId = {};     // report id -> its record
  var shared = null; // what every data file says alike (changes, notes)
  var sides = ["a", "b"];

  function link(path) {
    var cut = path.search(/[?#]/);
    var base = cut < 0 ? path : path.slice(0, cut);
    var rest = cut < 0 ? "" : path.slice(cut);
    return root + base + (base.slice(-1) === "/" ? indexFile : "") + rest;
  }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  // A script element rather than fetch(), so that it also works from files on disk; one
  // file at a time, since each sets window.gradelineCompare.
  var queue = Promise.resolve();
  function load(org) {
    if (loaded[org]) { return Promise.resolve(loaded[org]); }
    if (!index.organisations[org]) { return Promise.reject(new Error("unknown organisation")); }
    queue = queue.then(function () {
      if (loaded[org]) { return loaded[org]; }
      return new Promise(function (resolve, reject) {
        window.gradelineCompare = null;
        var s = document.createElement("script");
        s.src = link(index.organisations[org]);
        s.onload = function () {
          var data = window.gradelineCompare;
          loaded[org] = data;
          shared = shared || data;
          data.inspections.forEach(function (i) { byId[i.id] = i; });
          resolve(data);
        };
        s.onerror = function () { reject(new Error("could not load " + s.src)); };
        document.head.appendChild(s);
      });
    });
    return queue;
  }

  function orgSelect(side) { return document.getElementById("pick-" + side + "-org"); }
  function fill(side, org) {
    // The organisation's reports, newest first.
    var select = form.elements[side];
    select.textContent = "";
    loaded[org].inspections.slice().reverse().forEach(function (i) {
      select.appendChild(el("option", { value: i.id }, [i.short_title + " (" + i.date_label + ")"]));
    });
    if (orgSelect(side)) { orgSelect(side).value = org; }
  }
  function show(side, org) { return load(org).then(function () { fill(side, org); }); }

  function badge(grade) { return el("span", { "class": "grade " + grade.css }, [grade.label]); }
  function change(key, across) {
    var c = (across ? shared.changes_across : shared.changes)[key];
    return el("span", { "class": "change change-" + key },
      [el("span", { "class": "change-symbol", "aria-hidden": "true" }, [c[0]]), " " + c[1]]);
  }
  function changeOf(a, b) { return shared.table[(a ? a.key : "") + "|" + (b ? b.key : "")]; }
  function gradeCell(area, label) {
    if (!area) { return el("td", { "data-label": label }, [el("span", { "class": "not-assessed" }, ["not in this report"])]); }
    var parts = [badge(area.grade)];
    if (area.published) {
      // As the pages word it (_macros.html, amended_note).
      parts.push(" ", el("span", { "class": "amended" }, ["amended " + area.amended_label +
        "; as published: ", badge(area.published), ". " + area.reason]));
    }
    parts.push(" ", el("span", { "class": "area-label" }, ["\u201c" + area.label + "\u201d"]));
    return el("td", { "data-label": label }, parts);
  }
  function pairOf(a, b) {
    var found = null;
    [a.organisation, b.organisation].forEach(function (org) {
      loaded[org].pairs.forEach(function (p) { if (p[0] === a.id && p[1] === b.id) { found = p; } });
    });
    return found;
  }
  function message(text) {
    result.textContent = "";
    result.appendChild(el("p", { "class": "warning" }, [text]));
  }

  function render(a, b) {
    result.textContent = "";
    if (a.id === b.id) { message("Choose two different reports."); return; }
    var across = a.organisation !== b.organisation;
    var labelA = across ? a.long_title : a.short_title;
    var labelB = across ? b.long_title : b.short_title;
    var heading = el("h2", { id: "comparison-heading" }, ["Compare " + labelA + " and " + labelB]);
    result.appendChild(heading);
    var pair = pairOf(a, b);
    if (pair) {
      result.appendChild(el("p", {}, [el("a", { href: link(pair[2]) }, ["Permanent page for this comparison"])]));
    }
    (shared.notes[(a.framework || "") + "|" + (b.framework || "")] || []).forEach(function (n) {
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
        var key = changeOf(x && x.grade, y && y.grade);
        var column = across ? "Difference" : "Change";
        var changeCell = el("td", { "data-label": column }, [change(key, across)]);
        if (y && y.published) {
          var asPublished = changeOf(x && x.grade, y.published);
          if (asPublished !== key) {
            changeCell.appendChild(document.createTextNode(" "));
            changeCell.appendChild(el("span", { "class": "amended" }, ["as published: ", change(asPublished, across)]));
          }
        }
        var area = y || x;
        var url = (y && y.url) || (x && x.url);
        tbody.appendChild(el("tr", { "data-area": id }, [
          el("th", { scope: "row" }, [url ? el("a", { href: link(url) }, [area.name]) : area.name]),
          gradeCell(x, labelA), gradeCell(y, labelB), changeCell]));
      });
      var head = el("thead", {}, [el("tr", {}, ["Area", labelA, labelB, across ? "Difference" : "Change"].map(
        function (t) { return el("th", { scope: "col" }, [t]); }))]);
      var table = el("table", { "class": "comparison stack" }, [
        el("caption", {}, ["Grades of " + labelA + " and " + labelB + ", matched by area"]),
        head, tbody]);
      result.appendChild(el("div", { "class": "table-scroll" }, [table]));
    }
    if (across) {
      result.appendChild(el("p", {}, ["These are reports on two organisations: neither follows up the other's findings."]));
    } else if (!a.items.length) {
      result.appendChild(el("p", { "class": a.findings === "all" ? "findings-none" : "note findings-gap" },
        [a.findings_statement + (a.findings_note ? " " + a.findings_note : "")]));
    } else {
      var fates = el("tbody");
      a.items.forEach(function (item) {
        var fate = item.fates[b.id] || b.unsaid || shared.not_mentioned;
        fates.appendChild(el("tr", {}, [
          el("th", { scope: "row" }, [el("a", { href: link(item.url) }, [item.id]), " " + item.text]),
          el("td", { "data-label": "Kind" }, [item.group]),
          el("td", { "data-label": "In " + b.short_title }, [el("span", { "class": "status status-" + fate[0] }, [fate[1]])])]));
      });
      result.appendChild(el("h3", {}, ["What " + b.short_title + " says of the findings of " + a.short_title]));
      if (b.findings !== "all") {
        // As the comparison pages say it (_comparison_body.html).
        result.appendChild(el("p", { "class": "note findings-gap" }, [b.findings_statement +
          (b.findings_note ? " " + b.findings_note : "") +
          " What it says of the findings below is not known here."]));
      }
      result.appendChild(el("div", { "class": "table-scroll" }, [el("table", { "class": "fates stack" }, [
        el("thead", {}, [el("tr", {}, ["Finding", "Kind", "In " + b.short_title].map(
          function (t) { return el("th", { scope: "col" }, [t]); }))]), fates])]));
    }
    heading.setAttribute("tabindex", "-1");
  }

  function choose(a, b) {
    var missing = [a, b].filter(function (id) { return !index.reports[id]; });
    if (missing.length) {
      return suggest().then(function () {
        message("There is no report with the id \u201c" + missing.join("\u201d or \u201c") +
          "\u201d on this site. Choose two reports from the lists.");
      });
    }
    return show("a", index.reports[a]).then(function () { return show("b", index.reports[b]); })
      .then(function () {
        form.elements.a.value = a;
        form.elements.b.value = b;
        render(byId[a], byId[b]);
      });
  }
  function suggest() {
    // The latest pair of the first organisation (the site's focus, if it has one).
    var first = index.first;
    if (!first) { return Promise.resolve(); }
    return show("a", first).then(function () { return show("b", first); }).then(function () {
      var own = loaded[first].pairs.filter(function (p) {
        return index.reports[p[1]] === first && index.reports[p[0]] === first;
      });
      if (own.length) {
        form.elements.a.value = own[own.length - 1][0];
        form.elements.b.value = own[own.length - 1][1];
      }
      result.textContent = "";
    });
  }
  function fromUrl() {
    var params = new URLSearchParams(location.search);
    if (params.get("a") && params.get("b")) { return choose(params.get("a"), params.get("b")); }
    return suggest();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var a = form.elements.a.value, b = form.elements.b.value;
    if (index.reports[a] === index.reports[b]) {
      // Of one organisation: the older report first, whichever way round they were chosen.
      var ids = loaded[index.reports[a]].inspections.map(function (i) { return i.id; });
      if (ids.indexOf(a) > ids.indexOf(b)) { var t = a; a = b; b = t; }
    }
    history.pushState({ a: a, b: b }, "", "?a=" + encodeURIComponent(a) + "&b=" + encodeURIComponent(b));
    choose(a, b).then(function () {
      var heading = document.getElementById("comparison-heading");
      if (heading) { heading.focus(); }
    });
  });
  sides.forEach(function (side) {
    var select = orgSelect(side);
    if (select) { select.addEventListener("change", function () { show(side, select.value); }); }
  });
  window.addEventListener("popstate", fromUrl);
  fromUrl().catch(function (error) { message("The reports could not be loaded: " + error.message); })
    .then(function () { form.setAttribute("data-ready", ""); });
})();
