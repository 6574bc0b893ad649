// The browser's condition engine: what a form shows for some data, by exactly the server's rules
// (submissions/formschema/walk.py and conditions.py). It reads a form's render spec (render_spec on the server)
// and is tested against the same vectors as the server's engine (tests/submissions/condition_vectors.json).
"use strict";

(function (root) {
  const MAX_ROWS = 500;

  function isNumber(value) { return typeof value === "number" && Number.isFinite(value); }
  function isPlainObject(value) { return value !== null && typeof value === "object" && !Array.isArray(value); }
  function isEmpty(value) {
    return value === null || value === undefined || value === "" ||
      (Array.isArray(value) && value.length === 0) || (isPlainObject(value) && Object.keys(value).length === 0);
  }

  // Python's == on JSON values: true == 1, 1 == 1.0, lists and objects compared by content.
  function pyEquals(a, b) {
    const numeric = (v) => typeof v === "number" || typeof v === "boolean";
    if (numeric(a) && numeric(b)) return Number(a) === Number(b);
    if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => pyEquals(v, b[i]));
    if (isPlainObject(a) && isPlainObject(b)) {
      const keys = Object.keys(a);
      return keys.length === Object.keys(b).length && keys.every((k) => k in b && pyEquals(a[k], b[k]));
    }
    return a === b;
  }
  function contains(list, item) { return list.some((v) => pyEquals(v, item)); }

  function equals(value, expected) {
    if (Array.isArray(value)) return contains(value, expected);
    return value !== null && value !== undefined && pyEquals(value, expected);
  }
  function shares(value, expected) {
    const values = Array.isArray(value) ? value : (value === null || value === undefined ? [] : [value]);
    return values.some((item) => contains(expected, item));
  }
  function compare(left, right, greater) {
    if (isNumber(left) && isNumber(right)) return greater ? left > right : left < right;
    if (typeof left === "string" && typeof right === "string") return greater ? left > right : left < right;
    return false;
  }
  const ALIASES = {notEquals: "not_equals", notIn: "not_in", greaterThan: "greater_than", lessThan: "less_than",
                   isEmpty: "empty", is_empty: "empty", notEmpty: "not_empty", isNotEmpty: "not_empty",
                   is_not_empty: "not_empty"};
  const TESTS = {
    empty: (value) => isEmpty(value),
    not_empty: (value) => !isEmpty(value),
    equals: equals,
    not_equals: (value, expected) => !equals(value, expected),
    in: shares,
    not_in: (value, expected) => !shares(value, expected),
    greater_than: (value, expected) => value !== null && value !== undefined && compare(value, expected, true),
    less_than: (value, expected) => value !== null && value !== undefined && compare(value, expected, false),
  };

  function holds(condition, lookup) {
    if ("all" in condition) return condition.all.every((child) => holds(child, lookup));
    if ("any" in condition) return condition.any.some((child) => holds(child, lookup));
    const operator = ALIASES[condition.operator] || condition.operator;
    return TESTS[operator](lookup(condition.field), condition.value);
  }

  // What is kept of an answer: no value for null and blank strings, anything else as given.
  function kept(raw) {
    if (raw === null || raw === undefined || (typeof raw === "string" && !raw.trim())) return null;
    return raw;
  }
  function rowsOf(raw) {
    if (!Array.isArray(raw) || !raw.every(isPlainObject) || raw.length > MAX_ROWS) return [];
    return raw;
  }

  function index(spec) {
    const fields = {};
    const sections = {};
    (spec.fields || []).forEach((field) => { fields[field.key] = {field, section: null}; });
    (spec.sections || []).forEach((section) => {
      sections[section.id] = section;
      section.fields.forEach((field) => { fields[field.key] = {field, section}; });
    });
    return {fields, sections};
  }

  function walkTable(field, raw, top, result) {
    let rows = rowsOf(raw);
    let source = null;
    if (field.sourceSection) {
      source = top[`${field.sourceSection}_items`] || [];
      if (rows.length > source.length) return null;
      rows = rows.concat(Array.from({length: source.length - rows.length}, () => ({})));
    }
    const keptRows = rows.map((row, i) => {
      const out = {};
      field.columns.forEach((column) => {
        const value = column.sourceField && source ? source[i][column.sourceField] : kept(row[column.key]);
        if (value !== null && value !== undefined) out[column.key] = value;
      });
      return out;
    });
    return keptRows.length ? keptRows : null;
  }

  function walkItems(section, raw, top, result) {
    const own = new Set(section.fields.map((f) => f.key));
    const byKey = Object.fromEntries(section.fields.map((f) => [f.key, f]));
    const order = section.rowOrder || section.fields.map((f) => f.key);
    return rowsOf(raw).map((row, i) => {
      const keptRow = {};
      const lookup = (key) => (own.has(key) ? keptRow[key] : top[key]);
      order.forEach((key) => {
        const field = byKey[key];
        const path = `${section.itemsKey}[${i}].${key}`;
        if (field.condition && !holds(field.condition, lookup)) return;
        result.fields.push(path);
        const value = kept(row[key]);
        if (value !== null) keptRow[key] = value;
      });
      return Object.fromEntries(section.fields.filter((f) => f.key in keptRow).map((f) => [f.key, keptRow[f.key]]));
    });
  }

  // {sections: [ids], fields: [keys and repeat-row paths], data: the data without hidden values}
  function visibility(spec, data) {
    data = isPlainObject(data) ? data : {};
    const {fields, sections} = index(spec);
    const result = {sections: [], fields: [], data: {}};
    const top = {};
    const hidden = new Set();
    const lookup = (key) => top[key];
    (spec.order || []).forEach((node) => {
      const [kind, name] = [node.slice(0, node.indexOf(":")), node.slice(node.indexOf(":") + 1)];
      if (kind === "section") {
        const section = sections[name];
        if (section.condition && !holds(section.condition, lookup)) { hidden.add(name); return; }
        result.sections.push(name);
        if (section.repeatable) {
          const items = walkItems(section, data[section.itemsKey], top, result);
          if (items.length) top[section.itemsKey] = items;
        }
        return;
      }
      const {field, section} = fields[name];
      if (section && hidden.has(section.id)) return;
      if (field.condition && !holds(field.condition, lookup)) return;
      result.fields.push(name);
      const value = field.type === "table_fill" ? walkTable(field, data[name], top, result) : kept(data[name]);
      if (value !== null) top[name] = value;
    });
    result.data = top;
    return result;
  }

  root.FormEngine = {visibility, holds, isEmpty};
})(window);
