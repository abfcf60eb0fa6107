// Wide tables scroll sideways: make each scroll area reachable and named for keyboard users
// (WCAG 2.1.1; axe: scrollable-region-focusable). Runs on every page, including instant loads.
function kpiLabelScrollAreas() {
  document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (el, i) {
    el.setAttribute("tabindex", "0");
    el.setAttribute("role", "region");
    if (!el.hasAttribute("aria-label")) el.setAttribute("aria-label", "Table " + (i + 1) + ", scrolls sideways");
  });
}
if (typeof document$ !== "undefined") { document$.subscribe(kpiLabelScrollAreas); }
else { document.addEventListener("DOMContentLoaded", kpiLabelScrollAreas); }
