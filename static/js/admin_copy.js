// "Copy link" buttons of the admin: [data-copy] names the input whose value is copied (no inline script: CSP).
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach((button) => {
    button.addEventListener("click", async () => {
      const input = document.getElementById(button.dataset.copy);
      if (!input) return;
      input.select();
      try {
        await navigator.clipboard.writeText(input.value);
      } catch (e) {
        document.execCommand("copy");
      }
      button.textContent = "Copied";
    });
  });
})();
