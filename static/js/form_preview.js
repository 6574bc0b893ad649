// A form's preview page: the one renderer made live (conditions, rows, counters); sending posts the page itself.
"use strict";

(function () {
  const container = document.getElementById("f-root-form");
  if (container) new window.FormRender.Form(container, JSON.parse(document.getElementById("root-spec").textContent));
  const first = document.querySelector(".rf-invalid input, .rf-invalid select, .rf-invalid textarea");
  if (first) first.focus();
})();
