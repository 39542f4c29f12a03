// Phone layout (docs/stylesheets/extra.css, "On a phone"): a table wider than its column
// becomes one card per row, each cell under its column's heading, so the values a row
// compares sit one above the other instead of off-screen; a figure wider than its column
// says that it scrolls. This script only measures and marks elements; it computes no
// number. It runs after MathJax has typeset a page (the "bp:typeset" event of
// mathjax.js: typeset math is what makes a table wide), on every page Material's instant
// navigation shows, and when the window changes size.
(function () {
  "use strict";

  const PHONE = window.matchMedia("(max-width: 44.9375em)");
  const TABLES = "article table:not([class])";

  // Each cell gets a copy of its column's heading, shown only while the table is stacked.
  // Hidden from screen readers: they read the heading from the table's own structure,
  // which the explicit roles keep when the cells are displayed as blocks.
  function label(table) {
    if (table.dataset.bpLabelled) return;
    const heads = [...table.querySelectorAll("thead th")];
    table.setAttribute("role", "table");
    table.querySelectorAll("thead, tbody").forEach((group) => group.setAttribute("role", "rowgroup"));
    table.querySelectorAll("tr").forEach((row) => row.setAttribute("role", "row"));
    heads.forEach((th) => th.setAttribute("role", "columnheader"));
    for (const row of table.querySelectorAll("tbody tr")) {
      [...row.children].forEach((cell, i) => {
        cell.setAttribute("role", "cell");
        if (!heads[i]) return;
        const name = document.createElement("span");
        name.className = "bp-cell-label";
        name.setAttribute("aria-hidden", "true");
        heads[i].childNodes.forEach((node) => name.appendChild(node.cloneNode(true)));
        cell.prepend(name);
      });
    }
    table.dataset.bpLabelled = "1";
  }

  function fitTables() {
    for (const table of document.querySelectorAll(TABLES)) {
      const wrap = table.closest(".md-typeset__scrollwrap") || table.parentElement;
      delete table.dataset.bpStacked;
      delete wrap.dataset.bpStacked;
      if (!PHONE.matches || table.offsetWidth <= wrap.clientWidth + 1) continue;
      label(table);
      table.dataset.bpStacked = "1";
      wrap.dataset.bpStacked = "1";
    }
  }

  function markFigures() {
    for (const box of document.querySelectorAll(".bp-figure-scroll")) {
      box.toggleAttribute("data-bp-overflows", box.scrollWidth > box.clientWidth + 1);
    }
  }

  let queued = false;
  function relayout() {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      fitTables();
      markFigures();
    });
  }

  document$.subscribe(relayout);
  document.addEventListener("bp:typeset", relayout);
  window.addEventListener("resize", relayout);
})();
