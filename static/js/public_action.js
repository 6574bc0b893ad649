// The end-client page of a public action: renders the form from its schema, submits, uploads, confirms.
"use strict";

// The upload helper of the public action documentation, unchanged (TypeScript annotations removed).
async function uploadToS3(fileUpload, fileContent) {
  const formData = new FormData();
  // Add all presigned fields BEFORE the file
  Object.entries(fileUpload.fields).forEach(([key, value]) => {
    formData.append(key, value);
  });
  // Add the file content last
  formData.append('file', fileContent, fileUpload.fileName);
  const response = await fetch(fileUpload.url, {
    method: 'POST',
    body: formData,
  });
  if (!response.ok) {
    throw new Error(`Upload failed: ${response.status}`);
  }
  return response;
}

(function () {
  const form = document.getElementById("action-form");
  if (!form) return;
  const submitUrl = form.dataset.submitUrl;
  const confirmUrl = form.dataset.confirmUrl;
  const rootSchema = JSON.parse(document.getElementById("root-schema").textContent);
  const entitySchemas = JSON.parse(document.getElementById("entity-schemas").textContent);
  const statusLine = document.getElementById("status");
  const INPUT_TYPES = {email: "email", date: "date", number: "number", currency: "number", rating: "number",
                       tel: "tel", url: "url", time: "time", datetime: "datetime-local"};
  let entityCount = 0;

  function setStatus(state, text) {
    statusLine.dataset.state = state;
    statusLine.textContent = text;
    statusLine.className = state === "error" ? "error" : "";
  }

  function schemaFields(schema) {
    const fields = [...(schema.fields || [])];
    (schema.sections || []).filter((s) => !s.repeatable).forEach((s) => fields.push(...s.fields));
    return fields;
  }

  function renderField(container, field, scope) {
    const id = `${scope}-${field.key}`;
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = field.label + (field.required ? " *" : "");
    let input;
    if (field.type === "select" || field.type === "radio") {
      input = document.createElement("select");
      input.add(new Option("", ""));
      (field.options || []).forEach((o) => input.add(new Option(o.label, o.value)));
    } else if (field.type === "textarea") {
      input = document.createElement("textarea");
    } else {
      input = document.createElement("input");
      if (field.type === "file" || field.type === "signature") input.type = "file";
      else if (field.type === "yesno") input.type = "checkbox";
      else input.type = INPUT_TYPES[field.type] || "text";
    }
    input.id = id;
    input.name = field.key;
    input.dataset.type = field.type;
    container.append(label, input);
  }

  function collect(container, schema) {
    const data = {};
    const files = [];
    schemaFields(schema).forEach((field) => {
      const input = container.querySelector(`[name="${field.key}"]`);
      if (!input) return;
      if (input.type === "file") {
        if (input.files.length) {
          data[field.key] = input.files[0].name;
          files.push({field: field.key, file: input.files[0]});
        }
      } else if (input.type === "checkbox") {
        data[field.key] = input.checked;
      } else if (input.value !== "") {
        data[field.key] = input.type === "number" ? Number(input.value) : input.value;
      }
    });
    return {data, files};
  }

  const rootFields = document.getElementById("root-fields");
  if (rootFields) schemaFields(rootSchema).forEach((field) => renderField(rootFields, field, "root"));

  document.querySelectorAll("[data-add-entity]").forEach((button) => {
    button.addEventListener("click", () => {
      const customerType = button.dataset.addEntity;
      const index = entityCount++;
      const box = document.createElement("fieldset");
      box.className = "entity";
      box.dataset.customerType = customerType;
      box.dataset.reference = (crypto.randomUUID ? crypto.randomUUID() : `entity-${Date.now()}-${index}`);
      const legend = document.createElement("legend");
      legend.textContent = customerType === "company" ? "Company" : "Person";
      box.append(legend);
      const roleLabel = document.createElement("label");
      roleLabel.textContent = "Role";
      roleLabel.htmlFor = `entity${index}-role`;
      const role = document.createElement("select");
      role.id = `entity${index}-role`;
      role.name = "__role";
      ["owner", "ubo", "director", "shareholder", "representative", "authorized_signatory"].forEach(
        (r) => role.add(new Option(r.replace("_", " "), r)));
      box.append(roleLabel, role);
      schemaFields(entitySchemas[customerType]).forEach((field) => renderField(box, field, `entity${index}`));
      document.getElementById("entities").append(box);
    });
  });

  const filesByUpload = new Map();
  function uploadKey(reference, field, name) { return `${reference || ""}\u0000${field}\u0000${name}`; }

  async function uploadAll(fileUploads) {
    for (const fileUpload of fileUploads) {
      const file = filesByUpload.get(uploadKey(fileUpload.entityReference, fileUpload.spektrDataField, fileUpload.fileName));
      if (!file) throw new Error(`Please choose ${fileUpload.fileName} again and retry.`);
      await uploadToS3(fileUpload, file);
    }
  }

  // Files the server still waits for (after a reload, or a rejected upload): choose them again here.
  function showPending(fileUploads) {
    const box = document.getElementById("pending-files");
    if (!box) return;
    box.replaceChildren();
    fileUploads.forEach((fileUpload, index) => {
      const label = document.createElement("label");
      label.htmlFor = `pending-${index}`;
      label.textContent = `${fileUpload.entityReference ? fileUpload.entityReference + ": " : ""}` +
        `${fileUpload.spektrDataField} (${fileUpload.fileName})`;
      const input = document.createElement("input");
      input.type = "file";
      input.id = `pending-${index}`;
      box.append(label, input);
    });
    const button = document.createElement("button");
    button.type = "button";
    button.id = "upload-pending";
    button.textContent = "Upload these files";
    button.addEventListener("click", async () => {
      try {
        for (const [index, fileUpload] of fileUploads.entries()) {
          const input = document.getElementById(`pending-${index}`);
          if (!input.files.length) throw new Error(`Please choose ${fileUpload.fileName}.`);
          await uploadToS3(fileUpload, input.files[0]);
        }
        setStatus("uploading", "Checking...");
        await confirm(0);
      } catch (error) {
        setStatus("error", String(error.message || error));
      }
    });
    box.append(button);
  }

  async function confirm(retries) {
    const response = await fetch(confirmUrl, {method: "POST", headers: {"Content-Type": "application/json"}, body: "{}"});
    const body = await response.json();
    if (response.status === 200) { setStatus("completed", "Thank you, everything has been received."); return; }
    if (response.status === 409 && retries > 0 && filesByUpload.size) {
      await uploadAll(body.fileUploads);
      return confirm(retries - 1);
    }
    if (response.status === 409) {
      setStatus("pending", "Some files are missing: " + body.fileUploads.map((f) => f.fileName).join(", "));
      showPending(body.fileUploads);
      return;
    }
    setStatus("error", body.error || `Error ${response.status}`);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    setStatus("sending", "Sending...");
    try {
      const root = collect(document.getElementById("root-fields"), rootSchema);
      const body = {...root.data};
      root.files.forEach((f) => filesByUpload.set(uploadKey(null, f.field, f.file.name), f.file));
      const boxes = [...document.querySelectorAll("fieldset.entity")];
      if (boxes.length) {
        body["role-entity"] = [];
        body["role-entity_relations"] = [];
        boxes.forEach((box) => {
          const reference = box.dataset.reference;
          const entity = collect(box, entitySchemas[box.dataset.customerType]);
          entity.files.forEach((f) => filesByUpload.set(uploadKey(reference, f.field, f.file.name), f.file));
          body["role-entity"].push({reference, customer_type: box.dataset.customerType, ...entity.data});
          body["role-entity_relations"].push({from: reference, to: "root", role: box.querySelector('[name="__role"]').value});
        });
      }
      const response = await fetch(submitUrl, {
        method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body),
      });
      const answer = await response.json();
      if (!response.ok) { setStatus("error", answer.error || `Error ${response.status}`); return; }
      if (answer.status === "completed") { setStatus("completed", "Thank you, everything has been received."); return; }
      setStatus("uploading", "Uploading files...");
      await uploadAll(answer.fileUploads);
      await confirm(1);
    } catch (error) {
      setStatus("error", String(error.message || error));
    }
  });

  const confirmButton = document.getElementById("confirm");
  if (confirmButton) confirmButton.addEventListener("click", () => confirm(0).catch((e) => setStatus("error", String(e))));
})();
