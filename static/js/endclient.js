// Shared by the end-client pages (public_action.js, public_form.js): the summary of errors at the top, each
// linking to its field, and uploads straight to S3 with the server's presigned POSTs (fields first, file last),
// one row per file with its progress and state. Needs formrender.js first.
"use strict";

(function (root) {
  const {format, humanSize} = root.FormRender;
  const strings = () => root.FORM_STRINGS || {};
  const t = (key, values) => format(strings()[key] || key, values || {});

  function focusable(node) {
    return node.querySelector("input:not([type=hidden]):not([disabled]), select, textarea, button") || node;
  }

  // entries: [{node, message}]; a node gets a link to its first input, and the first one gets the focus.
  function showSummary(summary, entries) {
    const list = summary.querySelector("ul");
    list.replaceChildren();
    entries.forEach(({node, message}) => {
      const item = document.createElement("li");
      if (node) {
        const target = focusable(node);
        if (!target.id) target.id = `error-target-${Math.random().toString(36).slice(2)}`;
        const link = document.createElement("a");
        link.href = `#${target.id}`;
        link.textContent = message;
        link.addEventListener("click", (event) => { event.preventDefault(); target.focus(); });
        item.append(link);
      } else {
        item.textContent = message;
      }
      list.append(item);
    });
    summary.hidden = entries.length === 0;
    const first = entries.find((entry) => entry.node);
    if (first) focusable(first.node).focus(); else if (entries.length) summary.focus();
  }

  // The size limit the presigned POST's policy pins (content-length-range), or null.
  function signedLimit(fileUpload) {
    try {
      const policy = JSON.parse(atob(fileUpload.fields.Policy || fileUpload.fields.policy || ""));
      const range = (policy.conditions || []).find((c) => Array.isArray(c) && c[0] === "content-length-range");
      return range ? Number(range[2]) : null;
    } catch (error) {
      return null;
    }
  }

  function postToS3(fileUpload, file, onProgress) {
    return new Promise((resolve, reject) => {
      const data = new FormData();
      Object.entries(fileUpload.fields).forEach(([key, value]) => data.append(key, value));  // fields first
      data.append("file", file, fileUpload.fileName);  // the file last
      const request = new XMLHttpRequest();
      request.open("POST", fileUpload.url);
      request.upload.addEventListener("progress", (event) => {
        if (event.lengthComputable) onProgress(Math.round((event.loaded / event.total) * 100));
      });
      request.addEventListener("load", () => (request.status < 300 ? resolve() : reject(new Error(`S3 ${request.status}`))));
      request.addEventListener("error", () => reject(new Error(strings().network)));
      request.send(data);
    });
  }

  // One row of ``list`` (a <ul> inside the page's .uploads box): name (and the field's ``label``), progress, state.
  function uploadRow(list, fileUpload, reason, label) {
    const row = document.createElement("li");
    row.className = "upload";
    row.dataset.file = fileUpload.fileName;
    const name = document.createElement("span");
    name.className = "upload-name";
    name.textContent = label ? `${fileUpload.fileName} (${label})` : fileUpload.fileName;
    const progress = document.createElement("progress");
    progress.max = 100;
    progress.value = 0;
    progress.setAttribute("aria-label", fileUpload.fileName);
    const state = document.createElement("span");
    state.className = "upload-state";
    state.textContent = reason === "not_received" ? strings().notReceived
      : reason ? t("notAccepted", {reason: strings()[`reason_${reason}`] || reason}) : strings().waiting;
    row.append(name, progress, state);
    list.append(row);
    const box = list.closest(".uploads");
    if (box) box.hidden = false;
    return {row, progress, state};
  }

  // Upload one file; resolves true when S3 took it, false (the row saying why) when not.
  async function uploadOne(fileUpload, file, ui) {
    const limit = signedLimit(fileUpload);
    if (limit && file.size > limit) {
      ui.row.dataset.state = "failed";
      ui.state.textContent = t("failed", {reason: `${strings().reason_too_large} (${t("limit", {limit: humanSize(limit)})})`});
      return false;
    }
    ui.row.dataset.state = "uploading";
    ui.state.textContent = t("uploadingFile", {percent: 0});
    try {
      await postToS3(fileUpload, file, (percent) => {
        ui.progress.value = percent;
        ui.state.textContent = t("uploadingFile", {percent});
      });
    } catch (error) {
      ui.row.dataset.state = "failed";
      ui.state.textContent = t("failed", {reason: error.message});
      return false;
    }
    ui.progress.value = 100;
    ui.row.dataset.state = "done";
    ui.state.textContent = strings().done;
    return true;
  }

  root.EndClient = {focusable, showSummary, signedLimit, postToS3, uploadRow, uploadOne};
})(window);
