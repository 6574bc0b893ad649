// The end-client page of a public action: the root form and related companies and people (templates/forms/,
// made live by formrender.js), submitted to /v3/public/actions/<token>, files uploaded straight to S3 with the
// presigned POSTs (fields first, file last) with one progress bar each, then /confirm.
"use strict";

(function () {
  const {Form, setFieldErrors, format} = window.FormRender;
  const strings = JSON.parse(document.getElementById("form-strings").textContent);
  window.FORM_STRINGS = strings;
  const t = (key, values) => format(strings[key] || key, values || {});
  const statusLine = document.getElementById("status");
  const summary = document.getElementById("error-summary");
  const form = document.getElementById("action-form");
  const confirmButton = document.getElementById("confirm");
  const confirmUrl = (form || confirmButton || {dataset: {}}).dataset.confirmUrl;
  const entitySpecs = JSON.parse(document.getElementById("entity-specs").textContent);
  const blobs = new Map();  // entityReference \0 field \0 fileName -> File
  let entityCount = 0;

  function setStatus(state, message) {
    statusLine.dataset.state = state;
    statusLine.textContent = message || "";
    statusLine.className = state === "error" ? "rf-error" : "";
  }
  function blobKey(reference, field, name) { return `${reference || ""}\u0000${field}\u0000${name}`; }
  const finished = () => window.location.replace(window.location.href);  // the server's confirmation page

  // --- the summary of errors at the top, each linking to its field (endclient.js) ---
  const showSummary = (entries) => window.EndClient.showSummary(summary, entries);
  function clearErrors() {
    document.querySelectorAll(".rf-invalid").forEach((node) => setFieldErrors(node, []));
    document.querySelectorAll(".entity-error").forEach((node) => { node.textContent = ""; });
    summary.hidden = true;
  }

  // --- root form and entities ---
  const rootContainer = document.getElementById("f-root-form");
  const rootForm = rootContainer && new Form(rootContainer, JSON.parse(document.getElementById("root-spec").textContent));
  const entities = [];  // {box, form, reference, kind}

  function entityName(entity) {
    const number = entities.filter((other) => other.kind === entity.kind).indexOf(entity) + 1;
    return t("summaryEntity", {kind: strings[entity.kind], number});
  }
  function refreshEntities() {
    entities.forEach((entity) => {
      entity.box.querySelector(".entity-number").textContent = entities.filter((e) => e.kind === entity.kind).indexOf(entity) + 1;
      const select = entity.box.querySelector(".relation-to");
      const chosen = select.value || "root";
      select.replaceChildren(new Option(strings.you, "root"));
      entities.filter((other) => other !== entity).forEach((other) => select.add(new Option(entityName(other), other.reference)));
      select.value = [...select.options].some((option) => option.value === chosen) ? chosen : "root";
    });
  }
  function addEntity(kind) {
    const index = entityCount++;
    const template = document.getElementById(`entity-template-${kind}`);
    const box = template.content.firstElementChild.cloneNode(true);
    window.FormRender.rewritePlaceholder(box, "__ENTITY__", index);
    document.getElementById("entity-list").append(box);
    const entity = {box, kind, reference: crypto.randomUUID ? crypto.randomUUID() : `entity-${Date.now()}-${index}`,
                    form: new Form(box.querySelector(".rf-form"), entitySpecs[kind])};
    box.dataset.reference = entity.reference;
    entities.push(entity);
    refreshEntities();
    box.querySelector(".entity-remove").addEventListener("click", () => {
      entities.splice(entities.indexOf(entity), 1);
      box.remove();
      refreshEntities();
      document.querySelector(`[data-add-entity=${kind}]`).focus();
    });
    box.querySelector("select").focus();
  }
  document.querySelectorAll("[data-add-entity]").forEach((button) => {
    button.addEventListener("click", () => addEntity(button.dataset.addEntity));
  });

  // --- the server's errors, placed next to their fields ---
  function place(path, messages) {
    let scope = rootForm;
    let prefix = "";
    let local = path;
    let match = /^role-entity\[(\d+)\]\.?(.*)$/.exec(path);
    if (match && entities[Number(match[1])]) {
      const entity = entities[Number(match[1])];
      scope = entity.form;
      prefix = `${entityName(entity)}: `;
      local = match[2];
      if (!local || local === "reference" || local === "customer_type") {
        entity.box.querySelector(".entity-error").textContent = messages.join(" ");
        return {node: entity.box, message: prefix + messages.join(" ")};
      }
    }
    match = /^role-entity_relations\[(\d+)\]\.?(.*)$/.exec(path);
    if (match && entities[Number(match[1])]) {
      const entity = entities[Number(match[1])];
      const node = entity.box.querySelector(`[data-path="relation.${match[2] === "from" ? "to" : match[2]}"]`) ||
        entity.box.querySelector(".relation [data-path='relation.role']");
      setFieldErrors(node, messages);
      return {node, message: `${entityName(entity)}, ${node.dataset.label}: ${messages.join(" ")}`};
    }
    const node = scope && local ? scope.target(local) : null;
    if (!node) return {node: null, message: messages.join(" ")};
    setFieldErrors(node, messages);
    const label = node.dataset.label || "";
    const text = messages.map((message) => (label && !message.startsWith(label) ? `${label}: ${message}` : message)).join(" ");
    return {node, message: prefix + window.FormRender.entryPrefix(node) + text};
  }
  function showErrors(answer) {
    const fields = (answer.details && answer.details.fields) || {};
    const entries = Object.entries(fields).map(([path, messages]) => place(path, [].concat(messages)));
    if (!entries.length) entries.push({node: null, message: answer.error || "Error"});
    showSummary(entries);
  }

  // --- uploads: one row per file with its progress, straight to S3 (endclient.js) ---
  const {uploadOne} = window.EndClient;
  // The label of the field a file was chosen in (the root form's or a person's), while the page still has it.
  function fieldLabel(fileUpload) {
    const entity = entities.find((other) => other.reference === fileUpload.entityReference);
    const scope = entity ? entity.form : rootForm;
    const node = scope && fileUpload.spektrDataField ? scope.target(fileUpload.spektrDataField) : null;
    return node ? node.dataset.label : "";
  }
  const uploadRow = (fileUpload, reason) =>
    window.EndClient.uploadRow(document.getElementById("upload-list"), fileUpload, reason, fieldLabel(fileUpload));

  // Each file waits for a file (the one chosen, or a new choice) and is uploaded; then the page confirms.
  function uploadAll(fileUploads, reasons) {
    document.getElementById("upload-list").replaceChildren();
    const tasks = fileUploads.map((fileUpload) => {
      const reasonCode = reasons && fileUpload.reason;
      const known = blobs.get(blobKey(fileUpload.entityReference, fileUpload.spektrDataField, fileUpload.fileName));
      const rejected = reasonCode && reasonCode !== "not_received";
      const ui = uploadRow(fileUpload, reasonCode || "");
      if (known && !rejected) return {fileUpload, ui, run: () => uploadOne(fileUpload, known, ui), file: known};
      // A file to choose again: the server refused it, or the page was reloaded and no longer has it.
      const input = document.createElement("input");
      input.type = "file";
      input.id = `again-${Math.random().toString(36).slice(2)}`;
      const ext = fileUpload.fileName.includes(".") ? fileUpload.fileName.slice(fileUpload.fileName.lastIndexOf(".")) : "";
      if (ext) input.accept = ext;
      const label = document.createElement("label");
      label.htmlFor = input.id;
      label.textContent = `${strings.chooseAgain}: ${fileUpload.fileName}`;
      ui.row.append(label, input);
      return {fileUpload, ui, input, run: () => (input.files.length ? uploadOne(fileUpload, input.files[0], ui) : Promise.resolve(false))};
    });
    return tasks;
  }

  async function runUploads(tasks) {
    setStatus("uploading", strings.uploading);
    const results = [];
    for (const task of tasks) {
      results.push(task.input && !task.input.files.length ? false : await task.run());
    }
    if (results.every(Boolean)) return confirmUploads();
    tasks.forEach((task, index) => {
      if (results[index] || task.ui.row.querySelector(".retry")) return;
      const retry = document.createElement("button");
      retry.type = "button";
      retry.className = "secondary retry";
      retry.textContent = task.input ? strings.upload : strings.retry;
      retry.setAttribute("aria-label", `${retry.textContent} ${task.fileUpload.fileName}`);
      retry.addEventListener("click", async () => {
        retry.disabled = true;
        if (await task.run()) {
          retry.remove();
          results[index] = true;
          if (results.every(Boolean)) await confirmUploads();
        } else {
          retry.disabled = false;
        }
      });
      task.ui.row.append(retry);
    });
    setStatus("pending", tasks.some((task) => task.input) ? strings.pendingFiles : strings.failedUploads);
    return null;
  }

  let confirmedOnce = false;
  async function confirmUploads() {
    setStatus("checking", strings.checking);
    const response = await fetch(confirmUrl, {method: "POST", headers: {"Content-Type": "application/json"}, body: "{}"});
    const answer = await response.json();
    if (response.ok && answer.status === "completed") return finished();
    if (response.status === 409) {
      // Files the client still has in memory that simply did not arrive are sent once more, silently.
      const silent = !confirmedOnce && answer.fileUploads.every((upload) => upload.reason === "not_received" &&
        blobs.has(blobKey(upload.entityReference, upload.spektrDataField, upload.fileName)));
      confirmedOnce = true;
      return runUploads(uploadAll(answer.fileUploads, !silent));
    }
    if (response.status === 401) return finished();
    setStatus("error", answer.error || `Error ${response.status}`);
    return null;
  }

  // --- sending ---
  async function collect() {
    const body = rootForm.data();
    (await rootForm.files()).forEach((f) => blobs.set(blobKey(null, f.path, f.name), f.blob));
    if (entities.length) {
      body["role-entity"] = [];
      body["role-entity_relations"] = [];
      for (const entity of entities) {
        const data = entity.form.data();
        (await entity.form.files()).forEach((f) => blobs.set(blobKey(entity.reference, f.path, f.name), f.blob));
        body["role-entity"].push({reference: entity.reference, customer_type: entity.kind, ...data});
        const relation = {from: entity.reference, to: entity.box.querySelector(".relation-to").value || "root",
                          role: entity.box.querySelector("[name=relation-role]").value};
        const share = entity.box.querySelector("[name=relation-share]").value;
        if (share !== "") relation.ownership_percentage = Number(share);
        body["role-entity_relations"].push(relation);
      }
    }
    return body;
  }

  let busy = false;
  if (form) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (busy) return;  // one request at a time: a second click while sending does nothing
      busy = true;
      const submit = document.getElementById("submit");
      submit.disabled = true;
      form.setAttribute("aria-busy", "true");
      clearErrors();
      setStatus("sending", strings.sending);
      try {
        // The page's own route: the API's answers, with the refusals in the page's language.
        const response = await fetch(form.dataset.submitUrl, {
          method: "POST", headers: {"Content-Type": "application/json", "Accept-Language": document.documentElement.lang},
          body: JSON.stringify(await collect()),
        });
        const answer = await response.json();
        // Already sent (another tab, a repeated click): the page shows where it stands, not an error.
        if (response.status === 401 || response.status === 409) return finished();
        if (!response.ok) {
          setStatus("error", "");
          showErrors(answer);
          return;
        }
        if (answer.status === "completed") return finished();
        // The answers are in: the page now shows only the files, each with its progress.
        form.querySelectorAll(":scope > .rf-help, :scope > .rf-form, .entities, #submit").forEach((node) => { node.hidden = true; });
        document.getElementById("uploads-intro").hidden = false;
        await runUploads(uploadAll(answer.fileUploads, false));
      } catch (error) {
        setStatus("error", strings.network);
      } finally {
        busy = false;
        submit.disabled = statusLine.dataset.state !== "error";
        form.removeAttribute("aria-busy");
      }
    });
  }
  if (confirmButton) {
    confirmButton.addEventListener("click", async () => {
      confirmButton.disabled = true;
      try { await confirmUploads(); } catch (error) { setStatus("error", strings.network); }
      confirmButton.disabled = false;
    });
  }
})();
