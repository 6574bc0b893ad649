// The client's side of a revision request: sign an upload per chosen file, POST each straight to S3, confirm.
(function () {
  "use strict";
  const form = document.getElementById("revision-form");
  if (!form) return;
  const status = document.getElementById("revision-status");

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
      if (el) el.textContent = item.problem || "We have not received this file yet. Please choose it and send again.";
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const inputs = Array.from(form.querySelectorAll("input[type=file][data-required-document]"));
    const chosen = inputs.filter((input) => input.files.length > 0);
    if (chosen.length === 0) {
      say("Please choose a file for each document asked for.", "error");
      return;
    }
    const button = document.getElementById("revision-send");
    button.disabled = true;
    try {
      say("Uploading…", "uploading");
      const files = chosen.map((input) => ({
        required_document_id: input.dataset.requiredDocument,
        file_name: input.files[0].name,
      }));
      const signed = await postJson(form.dataset.uploadsUrl, { files });
      if (!signed.response.ok) {
        say(signed.data.error || "The files could not be sent. Please try again.", "error");
        return;
      }
      for (const upload of signed.data.uploads) {
        const input = chosen.find((el) => el.dataset.requiredDocument === upload.required_document_id);
        const body = new FormData();
        Object.entries(upload.fields).forEach(([key, value]) => body.append(key, value));
        body.append("file", input.files[0], upload.file_name);
        const sent = await fetch(upload.url, { method: "POST", body });
        if (!sent.ok) {
          say(`${upload.file_name} could not be uploaded (${sent.status}). Please try again.`, "error");
          return;
        }
      }
      const confirmed = await postJson(form.dataset.confirmUrl);
      if (confirmed.response.ok) {
        form.hidden = true;
        say("Thank you. We have received every document we asked for.", "completed");
      } else if (confirmed.response.status === 409) {
        showProblems(confirmed.data.missing);
        say("Some files were not accepted. Please look at the messages above.", "pending");
      } else {
        say(confirmed.data.error || "Something went wrong. Please try again.", "error");
      }
    } catch (e) {
      say("The connection failed. Please try again.", "error");
    } finally {
      button.disabled = false;
    }
  });
})();
