// Narrow screens: a tabular inline marked `stack-inline` is shown one row per block, each cell under its column's
// heading. The headings are the page's own (translated) ones, copied here onto each cell as data-label, the empty
// row that "Add another" clones included. No inline script: CSP.
(function () {
  "use strict";
  document.querySelectorAll("fieldset.stack-inline table").forEach((table) => {
    const labels = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
    table.querySelectorAll("tbody tr").forEach((row) => {
      [...row.children].forEach((cell, index) => {
        if (labels[index]) cell.dataset.label = labels[index];
      });
    });
  });
})();
