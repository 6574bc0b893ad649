// The live side of the one form renderer (templates/forms/): conditions as the client types (FormEngine),
// repeat rows and table rows added and removed within their bounds, tables filled from their source section,
// character counters, country search, drawn signatures, chosen files checked against the limits, and the
// server's errors shown next to their fields. The markup comes from the server; this script only clones it.
"use strict";

(function (root) {
  const ROW = "__INDEX__";
  const RENUMBERED = ["id", "name", "for", "data-path", "aria-describedby", "aria-labelledby", "data-counter"];

  function text(key, fallback) {
    const strings = root.FORM_STRINGS || {};
    return strings[key] || fallback;
  }
  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, (_, name) => String(values[name])).replace(/%%/g, "%");
  }
  function escapeRe(value) { return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }
  function humanSize(bytes) {
    if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
    if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
    return `${bytes} bytes`;
  }

  // Rewrite a placeholder or an old row number in the attributes of ``node`` and its descendants.
  // Row templates nested in an entity's template are rewritten too (their content is a fragment of its own).
  function rewrite(node, from, to) {
    const elements = node.nodeType === Node.DOCUMENT_FRAGMENT_NODE ? [...node.querySelectorAll("*")]
      : [node, ...node.querySelectorAll("*")];
    elements.forEach((el) => {
      RENUMBERED.forEach((name) => {
        const value = el.getAttribute(name);
        if (value) el.setAttribute(name, value.replace(from, to));
      });
      if (el.tagName === "TEMPLATE") rewrite(el.content, from, to);
    });
  }
  // A row's names and data paths (key[3].field) and ids (key-3-field) at its new position.
  function renumberPaths(row, key, index) {
    rewrite(row, new RegExp(`${escapeRe(key)}\\[\\d+\\]`, "g"), `${key}[${index}]`);
    rewrite(row, new RegExp(`${escapeRe(key)}-\\d+-`, "g"), `${key}-${index}-`);
  }
  function rewritePlaceholder(node, placeholder, value) { rewrite(node, new RegExp(placeholder, "g"), String(value)); }
  function cloneTemplate(template, index) {
    const fragment = template.content.cloneNode(true);
    const element = fragment.firstElementChild;
    rewrite(element, new RegExp(ROW, "g"), String(index));
    return element;
  }

  // The file types a field accepts, as its ``accept`` attribute lists them (".pdf", "image/*").
  function acceptsFile(input, file) {
    const accept = (input.getAttribute("accept") || "").split(",").map((item) => item.trim().toLowerCase()).filter(Boolean);
    if (!accept.length) return true;
    const name = file.name.toLowerCase();
    const type = (file.type || "").toLowerCase();
    return accept.some((item) => (item.startsWith(".") ? name.endsWith(item)
      : item.endsWith("/*") ? type.startsWith(item.slice(0, -1)) : type === item));
  }

  class Form {
    constructor(container, spec) {
      this.container = container;
      this.spec = spec;
      this.signatures = new Map();
      this.bindRepeats(container);
      this.bindTables(container);
      this.bindWidgets(container);
      container.addEventListener("input", () => this.refresh());
      container.addEventListener("change", () => this.refresh());
      this.refresh();
    }

    // --- repeat rows ---
    bindRepeats(scope) {
      scope.querySelectorAll(".rf-repeat").forEach((repeat) => {
        if (repeat.dataset.bound) return;
        repeat.dataset.bound = "1";
        const rows = repeat.querySelector(".rf-rows");
        repeat.querySelector(".rf-add-row").addEventListener("click", () => {
          const row = cloneTemplate(repeat.querySelector(".rf-row-template"), rows.children.length);
          rows.append(row);
          this.bindWidgets(row);
          this.renumber(repeat);
          this.refresh();
          const first = row.querySelector("input, select, textarea");
          if (first) first.focus();
        });
        rows.addEventListener("click", (event) => {
          const button = event.target.closest(".rf-remove-row");
          if (!button) return;
          button.closest(".rf-row").remove();
          this.renumber(repeat);
          this.refresh();
          repeat.querySelector(".rf-add-row").focus();
        });
        this.renumber(repeat);
      });
    }

    renumber(repeat) {
      const key = repeat.dataset.itemsKey;
      const rows = [...repeat.querySelector(".rf-rows").children];
      rows.forEach((row, index) => {
        renumberPaths(row, key, index);
        row.querySelector(".rf-row-number").textContent = String(index + 1);
      });
      const max = repeat.dataset.max === "" ? Infinity : Number(repeat.dataset.max);
      const min = Number(repeat.dataset.min || 0);
      repeat.querySelector(".rf-add-row").disabled = rows.length >= max;
      rows.forEach((row) => { row.querySelector(".rf-remove-row").disabled = rows.length <= min; });
    }

    // --- tables ---
    bindTables(scope) {
      scope.querySelectorAll(".rf-table-wrap").forEach((wrap) => {
        const add = wrap.querySelector(".rf-add-table-row");
        const body = wrap.querySelector("tbody");
        if (add) {
          add.addEventListener("click", () => {
            body.append(this.tableRow(wrap, body.children.length));
            this.renumberTable(wrap);
            body.lastElementChild.querySelector("input, select, textarea").focus();
          });
        }
        body.addEventListener("click", (event) => {
          const button = event.target.closest(".rf-remove-table-row");
          if (!button) return;
          button.closest("tr").remove();
          this.renumberTable(wrap);
          this.refresh();
        });
        this.renumberTable(wrap);
      });
    }

    tableRow(wrap, index) {
      const row = cloneTemplate(wrap.querySelector(".rf-table-row-template"), index);
      this.bindWidgets(row);
      return row;
    }

    renumberTable(wrap) {
      const key = wrap.closest(".rf-field").dataset.key;
      const rows = [...wrap.querySelector("tbody").children];
      rows.forEach((row, index) => {
        renumberPaths(row, key, index);
      });
      const add = wrap.querySelector(".rf-add-table-row");
      const max = wrap.dataset.max === "" ? Infinity : Number(wrap.dataset.max);
      if (add) add.disabled = rows.length >= max;
      rows.forEach((row) => {
        const remove = row.querySelector(".rf-remove-table-row");
        if (remove) remove.disabled = rows.length <= Number(wrap.dataset.min || 0);
      });
    }

    // A table filled from a repeatable section has one row per entry, its source columns copied as typed.
    syncTables(raw) {
      this.container.querySelectorAll(".rf-table-wrap[data-source-section]").forEach((wrap) => {
        const section = wrap.dataset.sourceSection;
        if (!section) return;
        const items = raw[`${section}_items`] || [];
        const body = wrap.querySelector("tbody");
        while (body.children.length < items.length) body.append(this.tableRow(wrap, body.children.length));
        while (body.children.length > items.length) body.lastElementChild.remove();
        this.renumberTable(wrap);
        [...body.children].forEach((row, index) => {
          row.querySelectorAll("[data-source-field]").forEach((input) => {
            const value = items[index][input.dataset.sourceField];
            input.value = value === undefined || value === null ? "" : String(value);
          });
        });
      });
    }

    // --- widgets ---
    bindWidgets(scope) {
      scope.querySelectorAll("textarea[data-counter]").forEach((area) => {
        const counter = document.getElementById(area.dataset.counter);
        const update = () => {
          counter.textContent = format(text("counter", "%(used)s of %(limit)s characters"),
            {used: area.value.length, limit: area.maxLength});
        };
        area.addEventListener("input", update);
        update();
      });
      scope.querySelectorAll(".rf-country-search").forEach((search) => {
        const select = search.nextElementSibling;
        const options = [...select.options].slice(1).map((option) => [option.value, option.text]);
        search.hidden = false;
        search.addEventListener("input", () => {
          const query = search.value.trim().toLowerCase();
          const chosen = select.value;
          [...select.options].slice(1).forEach((option) => option.remove());
          options.filter(([code, name]) => !query || name.toLowerCase().includes(query) || code.toLowerCase() === query)
            .forEach(([code, name]) => select.add(new Option(name, code, false, code === chosen)));
          if (select.options.length === 2 && query) { select.selectedIndex = 1; select.dispatchEvent(new Event("change", {bubbles: true})); }
        });
      });
      scope.querySelectorAll("input.rf-file").forEach((input) => this.bindFile(input));
      scope.querySelectorAll(".rf-remove-kept").forEach((button) => {
        button.addEventListener("click", () => {
          const input = button.closest(".rf-field").querySelector("input.rf-file");
          button.closest("li").remove();
          this.refresh();
          input.focus();
        });
      });
      scope.querySelectorAll("canvas.rf-signature-pad").forEach((canvas) => this.bindSignature(canvas));
    }

    bindFile(input) {
      const list = input.parentElement.querySelector(".rf-files");
      const field = input.closest(".rf-field");
      const show = () => {
        list.replaceChildren();
        [...input.files].forEach((file, index) => {
          const item = document.createElement("li");
          item.textContent = `${file.name} (${humanSize(file.size)}) `;
          const remove = document.createElement("button");
          remove.type = "button";
          remove.className = "secondary";
          remove.textContent = text("removeFile", "Remove");
          remove.setAttribute("aria-label", `${text("removeFile", "Remove")} ${file.name}`);
          remove.addEventListener("click", () => {
            const kept = new DataTransfer();
            [...input.files].forEach((other, j) => { if (j !== index) kept.items.add(other); });
            input.files = kept.files;
            show();
            input.focus();
          });
          item.append(remove);
          list.append(item);
        });
      };
      input.addEventListener("change", () => {
        const max = Number(input.dataset.maxBytes || 0);
        const problems = [];
        const kept = new DataTransfer();
        [...input.files].forEach((file) => {
          if (!acceptsFile(input, file)) problems.push(format(text("wrongType", "%(name)s is not a file type this field accepts."), {name: file.name}));
          else if (max && file.size > max) problems.push(format(text("tooLarge", "%(name)s is %(size)s; the limit is %(limit)s."), {name: file.name, size: humanSize(file.size), limit: humanSize(max)}));
          else if (file.size === 0) problems.push(format(text("emptyFile", "%(name)s is empty."), {name: file.name}));
          else kept.items.add(file);
        });
        if (problems.length) input.files = kept.files;
        setFieldErrors(field, problems);
        show();
      });
    }

    bindSignature(canvas) {
      const context = canvas.getContext("2d");
      const typed = canvas.parentElement.querySelector(".rf-signature-typed");
      const state = {drawn: false, typed: ""};
      this.signatures.set(canvas, state);
      context.lineWidth = 2.5;
      context.lineCap = "round";
      context.strokeStyle = "#1d2733";
      let drawing = false;
      const point = (event) => {
        const box = canvas.getBoundingClientRect();
        return [(event.clientX - box.left) * canvas.width / box.width, (event.clientY - box.top) * canvas.height / box.height];
      };
      canvas.addEventListener("pointerdown", (event) => {
        drawing = true;
        canvas.setPointerCapture(event.pointerId);
        context.beginPath();
        context.moveTo(...point(event));
      });
      canvas.addEventListener("pointermove", (event) => {
        if (!drawing) return;
        context.lineTo(...point(event));
        context.stroke();
        state.drawn = true;
      });
      const stop = () => { if (drawing) { drawing = false; this.refresh(); } };
      canvas.addEventListener("pointerup", stop);
      canvas.addEventListener("pointerleave", stop);
      const clear = () => { context.clearRect(0, 0, canvas.width, canvas.height); state.drawn = false; };
      typed.addEventListener("input", () => {
        clear();
        state.typed = typed.value.trim();
        if (state.typed) {
          context.font = "italic 48px cursive, serif";
          context.fillStyle = "#1d2733";
          context.fillText(state.typed, 20, 100, canvas.width - 40);
        }
      });
      canvas.parentElement.querySelector(".rf-signature-clear").addEventListener("click", () => {
        clear();
        canvas.parentElement.querySelectorAll(".rf-kept").forEach((kept) => kept.remove());
        typed.value = "";
        state.typed = "";
        this.refresh();
      });
    }

    // --- values ---
    static read(wrapper) {
      const widget = wrapper.dataset.widget;
      const first = wrapper.querySelector("input:not([type=search]), select, textarea");
      if (!first) return undefined;
      if (widget === "checkboxes" || widget === "multiselect") {
        const values = [...wrapper.querySelectorAll("input[type=checkbox]:checked")].map((box) => box.value);
        return values.length ? values : undefined;
      }
      if (widget === "radio" || widget === "yesno" || widget === "rating") {
        const checked = wrapper.querySelector("input[type=radio]:checked");
        if (!checked) return undefined;
        if (widget === "yesno") return checked.value === "true";
        if (widget === "rating") return Number(checked.value);
        return checked.value;
      }
      if (widget === "file") {
        // Files already uploaded (a resumed draft's) by their document id, then the files chosen now by name.
        const kept = [...wrapper.querySelectorAll("input.rf-kept-id")].map((input) => input.value);
        const names = [...kept, ...[...first.files].map((file) => file.name)];
        if (!names.length) return undefined;
        return first.multiple ? names : names[names.length - 1];
      }
      if (widget === "signature") return undefined;  // read by readSignature
      const value = first.value;
      if (value === "") return undefined;
      if (widget === "number" || widget === "currency") {
        const number = Number(value);
        return Number.isFinite(number) ? number : value;
      }
      return value;
    }

    signed(wrapper) {
      const canvas = wrapper.querySelector("canvas.rf-signature-pad");
      const state = canvas && this.signatures.get(canvas);
      return Boolean(state && (state.drawn || state.typed));
    }

    valueOf(wrapper) {
      if (wrapper.dataset.widget === "signature") {
        if (this.signed(wrapper)) return "signature.png";
        const kept = wrapper.querySelector("input.rf-kept-id");
        return kept ? kept.value : undefined;  // a resumed draft's signature, until a new one is drawn
      }
      return Form.read(wrapper);
    }

    field(path) { return this.container.querySelector(`.rf-field[data-path="${CSS.escape(path)}"]`); }

    // Everything the client has entered, hidden fields included (the engine decides what counts).
    raw() {
      const data = {};
      const put = (field, path, target) => {
        const wrapper = this.field(path);
        if (!wrapper) return;
        if (field.widget === "table") {
          const rows = [...wrapper.querySelectorAll("tbody tr")].map((row) => {
            const out = {};
            row.querySelectorAll("td[data-col]").forEach((cell) => {
              if (cell.querySelector("[data-source-field]")) return;  // the server fills source columns
              const value = Form.read(cell);
              if (value !== undefined) out[cell.dataset.col] = value;
            });
            return out;
          });
          if (rows.length) target[field.key] = rows;
          return;
        }
        const value = this.valueOf(wrapper);
        if (value !== undefined) target[field.key] = value;
      };
      (this.spec.fields || []).forEach((field) => put(field, field.key, data));
      (this.spec.sections || []).forEach((section) => {
        if (!section.repeatable) { section.fields.forEach((field) => put(field, field.key, data)); return; }
        const repeat = this.container.querySelector(`.rf-repeat[data-items-key="${CSS.escape(section.itemsKey)}"]`);
        const count = repeat ? repeat.querySelector(".rf-rows").children.length : 0;
        const items = [];
        for (let i = 0; i < count; i++) {
          const row = {};
          section.fields.forEach((field) => put(field, `${section.itemsKey}[${i}].${field.key}`, row));
          items.push(row);
        }
        if (items.length) data[section.itemsKey] = items;
      });
      return data;
    }

    // Show and hide fields and sections as the server will decide; hidden inputs are disabled (never sent).
    refresh() {
      const raw = this.raw();
      this.syncTables(raw);
      const shown = root.FormEngine.visibility(this.spec, this.raw());
      const fields = new Set(shown.fields);
      const sections = new Set(shown.sections);
      this.container.querySelectorAll(".rf-section[data-section]").forEach((section) => {
        section.hidden = !sections.has(section.dataset.section);
      });
      this.container.querySelectorAll(".rf-field[data-path]").forEach((wrapper) => {
        const hide = !fields.has(wrapper.dataset.path);
        if (wrapper.hidden !== hide) {
          wrapper.hidden = hide;
          wrapper.querySelectorAll("input, select, textarea").forEach((input) => { input.disabled = hide; });
        }
      });
      this.visible = shown;
    }

    // What is sent: the values of visible fields only, as the engine keeps them.
    data() {
      this.refresh();
      return root.FormEngine.visibility(this.spec, this.raw()).data;
    }

    // The files to upload for the visible file fields: {path, key, name, blob}.
    async files() {
      const shown = new Set(this.visible.fields);
      const out = [];
      for (const wrapper of this.container.querySelectorAll(".rf-field[data-widget=file], .rf-field[data-widget=signature]")) {
        const path = wrapper.dataset.path;
        if (!shown.has(path)) continue;
        const key = wrapper.dataset.key;
        if (wrapper.dataset.widget === "signature") {
          if (!this.signed(wrapper)) continue;
          const canvas = wrapper.querySelector("canvas");
          const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
          out.push({path, key, name: "signature.png", blob: new File([blob], "signature.png", {type: "image/png"})});
        } else {
          [...wrapper.querySelector("input[type=file]").files].forEach((file) => out.push({path, key, name: file.name, blob: file}));
        }
      }
      return out;
    }

    // The element an error at ``path`` belongs to: the field, the table cell, or the repeat block.
    target(path) {
      const node = this.container.querySelector(`[data-path="${CSS.escape(path)}"]`);
      if (node) return node;
      const parent = path.replace(/(\[\d+\])?\.[^.]+$|\[\d+\]$/, "");
      return parent && parent !== path ? this.target(parent) : null;
    }
  }

  // The entry a field of a repeat row belongs to, as its legend says ("Shareholders 2: "), for the error summary.
  function entryPrefix(node) {
    const legend = node.closest(".rf-row") && node.closest(".rf-row").querySelector(":scope > legend");
    return legend ? `${legend.textContent.replace(/\s+/g, " ").trim()}: ` : "";
  }

  function setFieldErrors(node, messages) {
    const box = errorBox(node);
    if (box) box.textContent = messages.join(" ");
    node.classList.toggle("rf-invalid", messages.length > 0);
    node.querySelectorAll(":scope input, :scope select, :scope textarea").forEach((input) => {
      if (messages.length) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    });
  }

  function errorBox(node) {
    return node.querySelector(":scope > .rf-error") || node.querySelector(":scope > fieldset > .rf-error") || node.querySelector(".rf-error");
  }

  root.FormRender = {Form, setFieldErrors, entryPrefix, rewritePlaceholder, humanSize, format, text};
})(window);
