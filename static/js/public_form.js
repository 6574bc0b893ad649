// The public form page (/f/<workspace>/<form>/): the form (templates/forms/, made live by formrender.js); on Send
// or "Save and continue later" the chosen files are signed by the page's uploads endpoint and go straight to S3,
// one progress row each (endclient.js); then the answers, file fields holding the uploaded files' ids, go to the
// send endpoint, which verifies the files before it accepts anything. Errors come back next to their fields.
"use strict";

(function () {
  const {Form, setFieldErrors} = window.FormRender;
  const {showSummary, uploadRow, uploadOne} = window.EndClient;
  const strings = JSON.parse(document.getElementById("form-strings").textContent);
  window.FORM_STRINGS = strings;
  const form = document.getElementById("public-form");
  const statusLine = document.getElementById("status");
  const summary = document.getElementById("error-summary");
  const list = document.getElementById("upload-list");
  const buttons = [document.getElementById("submit"), document.getElementById("save-draft")];
  const rootForm = new Form(document.querySelector("#public-form .rf-form"), JSON.parse(document.getElementById("root-spec").textContent));
  const uploaded = new Map();  // a chosen file (path, name, size, time) -> the id of its accepted upload
  const fileKey = (file) => [file.path, file.name, file.blob.size, file.blob.lastModified || 0].join("\u0000");

  function setStatus(state, message) {
    statusLine.dataset.state = state;
    statusLine.textContent = message || "";
    statusLine.className = state === "error" ? "rf-error" : "";
  }
  function clearErrors() {
    document.querySelectorAll(".rf-invalid").forEach((node) => setFieldErrors(node, []));
    summary.hidden = true;
  }
  function showErrors(answer) {
    const fields = (answer.details && answer.details.fields) || {};
    const entries = Object.entries(fields).map(([path, messages]) => {
      messages = [].concat(messages);
      const node = path ? (path === "draft-email" ? form.querySelector("[data-path=draft-email]") : rootForm.target(path)) : null;
      if (!node) return {node: null, message: messages.join(" ")};
      setFieldErrors(node, messages);
      const label = node.dataset.label || "";
      const text = messages.map((m) => (label && !m.startsWith(label) ? `${label}: ${m}` : m)).join(" ");
      return {node, message: window.FormRender.entryPrefix(node) + text};
    });
    if (!entries.length) entries.push({node: null, message: answer.error || "Error"});
    showSummary(summary, entries);
  }

  async function postJson(url, body) {
    const response = await fetch(url, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
    return {response, answer: await response.json()};
  }

  // Sign and upload the files not uploaded yet; resolves true once every one is in S3.
  async function uploadFiles(files) {
    const todo = files.filter((file) => !uploaded.has(fileKey(file)));
    if (!todo.length) return true;
    setStatus("uploading", strings.uploading);
    const {response, answer} = await postJson(form.dataset.uploadsUrl, {
      visit: form.elements.visit.value, files: todo.map((file) => ({path: file.path, fileName: file.name})),
    });
    if (!response.ok) {
      setStatus("error", "");
      showErrors(answer);
      return false;
    }
    list.replaceChildren();
    const label = (file) => (rootForm.target(file.path) || {dataset: {}}).dataset.label;
    const rows = answer.uploads.map((fileUpload, index) => uploadRow(list, fileUpload, "", label(todo[index])));  // all waiting
    let allDone = true;
    for (const [index, fileUpload] of answer.uploads.entries()) {
      const file = todo[index];
      const ui = rows[index];
      if (await uploadOne(fileUpload, file.blob, ui)) {
        uploaded.set(fileKey(file), fileUpload.documentId);
        continue;
      }
      allDone = false;
      const retry = document.createElement("button");
      retry.type = "button";
      retry.className = "secondary retry";
      retry.textContent = strings.retry;
      retry.setAttribute("aria-label", `${strings.retry} ${fileUpload.fileName}`);
      retry.addEventListener("click", async () => {
        retry.disabled = true;
        if (await uploadOne(fileUpload, file.blob, ui)) {
          uploaded.set(fileKey(file), fileUpload.documentId);
          retry.remove();
        } else {
          retry.disabled = false;
        }
      });
      ui.row.append(retry);
    }
    if (!allDone) setStatus("error", strings.retryUploads);
    return allDone;
  }

  // The answers as sent: each chosen file's name in its field replaced by its upload's id.
  function withFileIds(data, files) {
    files.forEach((file) => {
      const match = /^(\w+)\[(\d+)\]\.(\w+)$/.exec(file.path);
      const holder = match ? (data[match[1]] || [])[Number(match[2])] : data;
      const key = match ? match[3] : file.path;
      if (!holder || holder[key] === undefined) return;
      const id = uploaded.get(fileKey(file));
      if (Array.isArray(holder[key])) {
        const at = holder[key].indexOf(file.name);
        if (at >= 0) holder[key][at] = id;
      } else if (holder[key] === file.name) {
        holder[key] = id;
      }
    });
    return data;
  }

  let busy = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) return;  // one request at a time: a second click while sending does nothing
    const intent = event.submitter && event.submitter.value === "draft" ? "draft" : "send";
    busy = true;
    buttons.forEach((button) => { button.disabled = true; });
    form.setAttribute("aria-busy", "true");
    clearErrors();
    let done = false;
    try {
      const data = rootForm.data();
      const files = await rootForm.files();
      if (await uploadFiles(files)) {
        setStatus("sending", intent === "draft" ? strings.saving : strings.sending);
        const {response, answer} = await postJson(form.dataset.sendUrl, {
          visit: form.elements.visit.value, answers: withFileIds(data, files), intent, email: form.elements["draft-email"].value,
        });
        if (response.ok) {
          done = true;
          window.location.assign(answer.next);  // the confirmation, or the draft's resume link
          return;
        }
        setStatus("error", "");
        showErrors(answer);
        // A file the server did not accept is uploaded afresh on the next try.
        const refused = new Set(Object.keys((answer.details && answer.details.fields) || {}));
        files.filter((file) => refused.has(file.path)).forEach((file) => uploaded.delete(fileKey(file)));
      }
    } catch (error) {
      setStatus("error", strings.network);
    } finally {
      busy = done;  // after success the page is leaving: further clicks do nothing
      if (!done) buttons.forEach((button) => { button.disabled = false; });
      form.removeAttribute("aria-busy");
    }
  });

  const resume = document.getElementById("resume-link");
  if (resume) {
    resume.addEventListener("focus", () => resume.select());
    const copy = document.getElementById("copy-resume-link");
    copy.addEventListener("click", async () => {
      resume.select();
      try { await navigator.clipboard.writeText(resume.value); } catch (error) { document.execCommand("copy"); }
      copy.textContent = strings.copied;
    });
  }
})();
