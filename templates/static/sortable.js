/* Sortable tables: a button in each column header sorts the rows by that column, and again
   in reverse. The table reads correctly, in its first order, without JavaScript. */
(function () {
  "use strict";
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var body = table.tBodies[0];
    var headers = table.querySelectorAll("thead th");
    table.querySelectorAll("thead button[data-sort-column]").forEach(function (button) {
      button.addEventListener("click", function () {
        var column = Number(button.getAttribute("data-sort-column"));
        var th = button.parentElement;
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[column].getAttribute("data-sort-value");
          var y = b.cells[column].getAttribute("data-sort-value");
          var nx = Number(x), ny = Number(y);
          var order = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
          if (order === 0) {
            order = a.cells[0].getAttribute("data-sort-value")
              .localeCompare(b.cells[0].getAttribute("data-sort-value"));
            return order;
          }
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
        headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      });
    });
  });
})();
