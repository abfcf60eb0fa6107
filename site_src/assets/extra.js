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
