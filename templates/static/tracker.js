/* Gradeline follow-up tracker: filter the listed findings by status and area. The filter
   is kept in the URL (?status=...&area=...) so a filtered view can be shared. Without
   JavaScript every finding is listed. */
(function () {
  "use strict";
  var form = document.getElementById("tracker-filters");
  var count = document.getElementById("tracker-count");
  if (!form) { return; }
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.tracker tbody tr"));

  function apply() {
    var status = form.elements.status.value, area = form.elements.area.value, shown = 0;
    rows.forEach(function (row) {
      var match = (!status || row.getAttribute("data-status") === status) &&
        (!area || row.getAttribute("data-area") === area);
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    count.textContent = shown === rows.length ? rows.length + " findings." :
      "Showing " + shown + " of " + rows.length + " findings.";
  }
  function fromUrl() {
    var params = new URLSearchParams(location.search);
    form.elements.status.value = params.get("status") || "";
    form.elements.area.value = params.get("area") || "";
    apply();
  }
  form.setAttribute("data-ready", "");
  form.addEventListener("change", function () {
    var params = new URLSearchParams();
    if (form.elements.status.value) { params.set("status", form.elements.status.value); }
    if (form.elements.area.value) { params.set("area", form.elements.area.value); }
    var query = params.toString();
    history.replaceState(null, "", query ? "?" + query : location.pathname);
    apply();
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  fromUrl();
})();
