// Live show/hide for Assay questionnaires. This is the browser twin of
// Visible in visibility.go and must keep exactly its semantics; the Go test
// TestVisibleMatchesJS runs both on random templates and compares them.
//
// rules:   the output of ClientRules: {order: [ids], show_if: {id: condition}}
// answers: {id: value} in normalized form: a string, an array of strings
//          (multi_choice) or a number (convert number inputs with Number()).
// Returns {id: true|false} for every question in rules.order.
(function (root) {
  "use strict";

  var hasOwn = Object.prototype.hasOwnProperty;

  // The characters Go's strings.TrimSpace removes, so that a blank answer is
  // blank in both implementations (String.prototype.trim differs on U+0085
  // and U+FEFF).
  var blank = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;

  function isEmpty(v) {
    if (v === undefined || v === null) return true;
    if (typeof v === "string") return blank.test(v);
    if (Array.isArray(v)) return v.length === 0;
    return false;
  }

  // Strings equal strings and numbers equal numbers; nothing else is equal.
  function same(a, b) {
    if (typeof a === "string") return typeof b === "string" && a === b;
    if (typeof a === "number") return typeof b === "number" && a === b;
    return false;
  }

  function has(answer, value) {
    if (Array.isArray(answer)) {
      return answer.some(function (e) { return same(e, value); });
    }
    return same(answer, value);
  }

  // Malformed conditions resolve as in Go: question before all before any,
  // and equals before in before not.
  function holds(c, answers, visible) {
    if (typeof c.question === "string" && c.question !== "") {
      var id = c.question;
      var answer = visible[id] === true && hasOwn.call(answers, id) ? answers[id] : undefined;
      if (isEmpty(answer)) return false;
      if (c.equals != null) return has(answer, c.equals);
      if (Array.isArray(c.in) && c.in.length > 0) {
        return c.in.some(function (v) { return has(answer, v); });
      }
      if (c.not != null) return !has(answer, c.not);
      return false;
    }
    if (Array.isArray(c.all) && c.all.length > 0) {
      return c.all.every(function (child) { return holds(child, answers, visible); });
    }
    if (Array.isArray(c.any)) {
      return c.any.some(function (child) { return holds(child, answers, visible); });
    }
    return false;
  }

  function assayVisible(rules, answers) {
    // No prototype: ids such as "constructor" must not find inherited members.
    var visible = Object.create(null);
    var showIf = rules.show_if || {};
    answers = answers || {};
    rules.order.forEach(function (id) {
      visible[id] = !hasOwn.call(showIf, id) || holds(showIf[id], answers, visible);
    });
    return visible;
  }

  if (typeof module === "object" && module.exports) {
    // Both require("./visibility.js")(…) and its .assayVisible work.
    module.exports = assayVisible;
    module.exports.assayVisible = assayVisible;
  } else {
    root.assayVisible = assayVisible;
  }
})(typeof globalThis !== "undefined" ? globalThis : this);
