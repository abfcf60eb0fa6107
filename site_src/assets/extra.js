// Wide tables scroll sideways: make each scroll area reachable and named for keyboard users
// (WCAG 2.1.1; axe: scrollable-region-focusable). Runs on every page, including instant loads.
function kpiLabelScrollAreas() {
  document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (el, i) {
    el.setAttribute("tabindex", "0");
    el.setAttribute("role", "region");
    if (!el.hasAttribute("aria-label")) el.setAttribute("aria-label", "Table " + (i + 1) + ", scrolls sideways");
  });
}
// Tables in a .kpi-stack block become one card per row on a phone (CSS in extra.css). Each cell
// gets its column heading as a label to show, and explicit table roles, because display:block
// makes some browsers forget that the cells belong to a table (screen readers then lose them).
function kpiStackTables() {
  document.querySelectorAll(".kpi-stack table").forEach(function (table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    table.setAttribute("role", "table");
    table.querySelectorAll("thead, tbody").forEach(function (g) { g.setAttribute("role", "rowgroup"); });
    table.querySelectorAll("tr").forEach(function (tr) { tr.setAttribute("role", "row"); });
    table.querySelectorAll("thead th").forEach(function (th) { th.setAttribute("role", "columnheader"); });
    table.querySelectorAll("tbody tr").forEach(function (tr) {
      Array.prototype.forEach.call(tr.children, function (td, i) {
        td.setAttribute("role", "cell");
        if (heads[i]) td.setAttribute("data-label", heads[i]);
      });
    });
  });
}
// Charts scroll sideways on a phone (extra.css): the same, for their scroll areas.
function kpiLabelCharts() {
  document.querySelectorAll(".kpi-chart").forEach(function (el) {
    var img = el.querySelector("img");
    el.setAttribute("tabindex", "0");
    el.setAttribute("role", "region");
    el.setAttribute("aria-label", "Chart, scrolls sideways on a narrow screen" + (img && img.alt ? ": " + img.alt.split(".")[0] : ""));
  });
}
function kpiOnPage() { kpiStackTables(); kpiLabelScrollAreas(); kpiLabelCharts(); }
if (typeof document$ !== "undefined") { document$.subscribe(kpiOnPage); }
else { document.addEventListener("DOMContentLoaded", kpiOnPage); }
// A table in a .kpi-sortable block (an indicator's areas, in rank order in the HTML) sorts by a
// column when its heading is chosen: numbers as numbers ("45.0%", "£3,200", a rank), words as
// words, blanks last; chosen again, the other way. The heading says how it is sorted (aria-sort).
function kpiSortValue(td) {
  var text = td.textContent.trim();
  var m = text.replace(/,/g, "").match(/^[£]?(-?\d+(\.\d+)?)/);
  return m ? { n: parseFloat(m[1]), t: text } : { n: null, t: text.toLowerCase() };
}
function kpiSortTables() {
  document.querySelectorAll(".kpi-sortable").forEach(function (block) {
    var table = block.querySelector("table");
    if (!table || table.getAttribute("data-kpi-sorted") === "ready") return;
    table.setAttribute("data-kpi-sorted", "ready");
    var hint = block.querySelector(".kpi-sort-hint");
    if (hint) hint.hidden = false;
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, col) {
      var button = document.createElement("button");  // after the heading, which still wraps
      button.type = "button";
      button.className = "kpi-sort";
      button.setAttribute("aria-label", "Sort by " + th.textContent.trim());
      th.appendChild(document.createTextNode(" "));
      th.appendChild(button);
      button.addEventListener("click", function () {
        var up = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", up ? "ascending" : "descending");
        var body = table.querySelector("tbody");
        var rows = Array.prototype.slice.call(body.querySelectorAll("tr"));
        rows.sort(function (a, b) {
          var x = kpiSortValue(a.children[col]), y = kpiSortValue(b.children[col]);
          if (!x.t !== !y.t) return x.t ? -1 : 1;  // blanks last, either way
          var d = (x.n !== null && y.n !== null) ? x.n - y.n : x.t.localeCompare(y.t);
          return up ? d : -d;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
}
if (typeof document$ !== "undefined") { document$.subscribe(kpiSortTables); }
else { document.addEventListener("DOMContentLoaded", kpiSortTables); }
