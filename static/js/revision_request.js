// The client's side of a revision request: sign an upload per chosen file, POST each straight to S3, confirm.
(function () {
  "use strict";
  const form = document.getElementById("revision-form");
  if (!form) return;
  const status = document.getElementById("revision-status");
  const strings = JSON.parse(document.getElementById("revision-strings").textContent);
  const t = (key, params) =>
    strings[key].replace(/%\((\w+)\)s/g, (_, name) => String((params || {})[name] ?? ""));

  function say(text, state) {
    status.textContent = text;
    status.dataset.state = state;
  }

  async function postJson(url, body) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body || {}),
    });
    let data = {};
    try { data = await response.json(); } catch (e) { data = {}; }
    return { response, data };
  }

  function showProblems(missing) {
    document.querySelectorAll("[data-problem-for]").forEach((el) => { el.textContent = ""; });
    for (const item of missing || []) {
      const el = document.querySelector(`[data-problem-for="${item.required_document_id}"]`);
      if (el) el.textContent = item.problem || t("notReceived");
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const inputs = Array.from(form.querySelectorAll("input[type=file][data-required-document]"));
    const chosen = inputs.filter((input) => input.files.length > 0);
    if (chosen.length === 0) {
      say(t("chooseFiles"), "error");
      return;
    }
    const button = document.getElementById("revision-send");
    button.disabled = true;
    try {
      say(t("uploading"), "uploading");
      const files = chosen.map((input) => ({
        required_document_id: input.dataset.requiredDocument,
        file_name: input.files[0].name,
      }));
      const signed = await postJson(form.dataset.uploadsUrl, { files });
      if (!signed.response.ok) {
        say(signed.data.error || t("notSent"), "error");
        return;
      }
      for (const upload of signed.data.uploads) {
        const input = chosen.find((el) => el.dataset.requiredDocument === upload.required_document_id);
        const body = new FormData();
        Object.entries(upload.fields).forEach(([key, value]) => body.append(key, value));
        body.append("file", input.files[0], upload.file_name);
        const sent = await fetch(upload.url, { method: "POST", body });
        if (!sent.ok) {
          say(t("notUploaded", { name: upload.file_name, status: sent.status }), "error");
          return;
        }
      }
      const confirmed = await postJson(form.dataset.confirmUrl);
      if (confirmed.response.ok) {
        form.hidden = true;
        say(t("received"), "completed");
      } else if (confirmed.response.status === 409) {
        showProblems(confirmed.data.missing);
        say(t("notAccepted"), "pending");
      } else {
        say(confirmed.data.error || t("failed"), "error");
      }
    } catch (e) {
      say(t("network"), "error");
    } finally {
      button.disabled = false;
    }
  });
})();
