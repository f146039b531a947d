// Supplier portal: autosave, live show/hide of conditional questions and
// evidence uploads with progress. Every page works without this script:
// each section is a plain form and each upload a plain multipart post, so
// everything here is an enhancement of markup that already functions.
(function () {
  "use strict";

  var form = document.getElementById("qform");
  if (!form) { return; }

  var token = form.getAttribute("data-token");
  var section = form.getAttribute("data-section");
  var api = "/api/v1/portal/" + encodeURIComponent(token);
  var page = "/q/" + encodeURIComponent(token);
  var maxUpload = Number(form.getAttribute("data-max-upload")) || 0;
  var rules = readJSON("rules") || { order: [], show_if: {} };
  var answers = readJSON("answers") || {};
  var state = document.getElementById("savestate");
  var banner = document.getElementById("portal-banner");

  // A pause in typing this long saves the question; shorter would send a
  // request per word, longer risks losing the last words when a tab closes.
  var DEBOUNCE_MS = 600;
  var RETRY_MAX_MS = 30000;
  // A section post answers in well under this; a page still shown after it
  // was not left.
  var RESUME_AFTER_POST_MS = 15000;

  var pending = {};   // question id → value not yet sent
  var timers = {};    // question id → debounce timer
  var inflight = {};  // question id → true while its PUT runs
  var sent = {};      // question id → JSON of the value last saved
  var invalid = {};   // question id → true while the server refuses its value
  var failures = 0;   // consecutive network or server failures, for backoff
  var retryTimer = null;
  var stopped = false; // submitted, expired or revoked: nothing more is saved
  var posting = false; // the section form is on its way with every answer
  var BAD_NUMBER = {};

  function readJSON(id) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  function questionOf(el) {
    return el && el.closest ? el.closest(".question[data-qid]") : null;
  }

  function byQid(attr, qid) {
    return document.querySelector("[" + attr + "=\"" + CSS.escape(qid) + "\"]");
  }

  // valueOf reads a question's inputs into the normalized answer form the
  // API and the visibility rules take: a string, a list (multi_choice) or a
  // number.
  function valueOf(q) {
    var type = q.getAttribute("data-type");
    var inputs = q.querySelectorAll("input[name^='q.'], select[name^='q.'], textarea[name^='q.']");
    var i;
    if (type === "multi_choice") {
      var list = [];
      for (i = 0; i < inputs.length; i++) { if (inputs[i].checked) { list.push(inputs[i].value); } }
      return list;
    }
    if (inputs.length && inputs[0].type === "radio") {
      for (i = 0; i < inputs.length; i++) { if (inputs[i].checked) { return inputs[i].value; } }
      return "";
    }
    var el = inputs[0];
    if (!el) { return undefined; }
    if (type === "number") {
      // A number input hides what it cannot parse behind an empty value.
      if (el.validity && el.validity.badInput) { return BAD_NUMBER; }
      var v = el.value.trim();
      if (v === "") { return ""; }
      var n = Number(v);
      return isNaN(n) ? v : n;
    }
    return el.value;
  }

  function isEmpty(v) {
    return v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0);
  }

  function setAnswer(qid, v) {
    if (isEmpty(v)) { delete answers[qid]; } else { answers[qid] = v; }
  }

  // --- show and hide ------------------------------------------------------

  function applyVisible(vis) {
    var qs = form.querySelectorAll(".question[data-qid]");
    for (var i = 0; i < qs.length; i++) {
      var id = qs[i].getAttribute("data-qid");
      if (id in vis) { qs[i].hidden = !vis[id]; }
    }
    updateSectionCount();
  }

  // Rules run here on every change so follow-up questions appear at once;
  // the server's list after each save stays the source of truth.
  function applyLocalRules() {
    if (typeof window.assayVisible === "function") { applyVisible(window.assayVisible(rules, answers)); }
  }

  function applyServerVisible(list) {
    if (!Array.isArray(list)) { return; }
    // A newer change not yet saved would be undone by an older list.
    if (busy()) { return; }
    var shown = {};
    list.forEach(function (id) { shown[id] = true; });
    var vis = {};
    (rules.order || []).forEach(function (id) { vis[id] = shown[id] === true; });
    applyVisible(vis);
  }

  // --- progress -----------------------------------------------------------

  function answeredOnPage(q) {
    if (q.getAttribute("data-type") === "file") { return q.querySelectorAll("[data-eid]").length > 0; }
    return !isEmpty(answers[q.getAttribute("data-qid")]);
  }

  function updateSectionCount() {
    var el = byQid("data-section-count", section);
    if (!el) { return; }
    var qs = form.querySelectorAll(".question[data-qid]");
    var shown = 0, done = 0;
    for (var i = 0; i < qs.length; i++) {
      if (qs[i].hidden) { continue; }
      shown++;
      if (answeredOnPage(qs[i])) { done++; }
    }
    el.textContent = done + "/" + shown;
    el.setAttribute("aria-label", done + " of " + shown + " answered");
  }

  function applyProgress(p) {
    if (!p || typeof p.answered !== "number") { return; }
    setText("[data-progress-answered]", p.answered);
    setText("[data-progress-total]", p.total);
    var bar = document.querySelector("[data-progress-bar]");
    if (bar) { bar.max = p.total || 1; bar.value = p.answered; }
  }

  function setText(sel, v) {
    var el = document.querySelector(sel);
    if (el) { el.textContent = String(v); }
  }

  // --- the save indicator and messages -----------------------------------

  function busy() {
    return Object.keys(pending).length > 0 || Object.keys(inflight).some(function (k) { return inflight[k]; });
  }

  function render() {
    if (!state) { return; }
    var s, text;
    if (stopped) {
      s = "error"; text = "Not saved";
    } else if (failures > 0) {
      s = "error"; text = "Not saved — retrying";
    } else if (busy()) {
      s = "saving"; text = "Saving…";
    } else if (Object.keys(invalid).length > 0) {
      s = "error"; text = "Not saved — check the marked answer";
    } else {
      s = "saved"; text = "Saved";
    }
    if (state.getAttribute("data-state") !== s || state.textContent !== text) {
      state.setAttribute("data-state", s);
      state.textContent = text;
    }
  }

  function showError(qid, msg) {
    var err = document.getElementById("err-" + qid);
    var q = document.getElementById("q-" + qid);
    if (!err || !q) { return; }
    invalid[qid] = true;
    err.textContent = msg;
    err.hidden = false;
    var inputs = q.querySelectorAll("input[name^='q.'], select, textarea");
    for (var i = 0; i < inputs.length; i++) { inputs[i].setAttribute("aria-invalid", "true"); }
  }

  function clearError(qid) {
    delete invalid[qid];
    var err = document.getElementById("err-" + qid);
    var q = document.getElementById("q-" + qid);
    if (err) { err.hidden = true; err.textContent = ""; }
    if (q) {
      var inputs = q.querySelectorAll("[aria-invalid]");
      for (var i = 0; i < inputs.length; i++) { inputs[i].removeAttribute("aria-invalid"); }
    }
  }

  function fieldQuestion(path) {
    return String(path || "").replace(/^(answers|q)\./, "");
  }

  function errorMessage(data, fallback) {
    return (data && data.error && data.error.message) || fallback;
  }

  // stop ends autosave when the questionnaire no longer takes answers: a
  // retry could never succeed, and the supplier must know why.
  function stop(status, data) {
    stopped = true;
    var msg;
    if (status === 409) {
      msg = "This questionnaire has been submitted, so changes are no longer saved. Reload the page to see the answers as submitted.";
    } else if (status === 410) {
      msg = "This link has expired, so changes are no longer saved. Please ask the company that sent it for a new link.";
    } else {
      msg = "This link no longer works, so changes are not saved. Please use the link in the most recent email you received.";
    }
    var detail = errorMessage(data, "");
    banner.textContent = detail && status === 409 ? detail + ". " + msg : msg;
    banner.hidden = false;
    render();
  }

  // --- autosave -----------------------------------------------------------

  function changed(e) {
    var t = e.target;
    if (stopped || !t.name || t.name.indexOf("q.") !== 0) { return; }
    // A change after the form was posted means the page stayed (the
    // navigation was cancelled): autosave and the leave warning resume.
    resume();
    var q = questionOf(t);
    if (!q || q.hasAttribute("data-locked")) { return; }
    var qid = q.getAttribute("data-qid");
    var v = valueOf(q);
    if (v === BAD_NUMBER) {
      showError(qid, "Enter a number, such as 12 or 3.5.");
      render();
      return;
    }
    setAnswer(qid, v);
    applyLocalRules();
    // The "change" that follows "input" repeats a value already saved; a
    // value equal to the last saved one while another is on its way is not
    // a repeat, since the one on its way will overwrite it.
    if (sent[qid] === JSON.stringify(v) && !invalid[qid] && !(qid in pending) && !inflight[qid]) { return; }
    pending[qid] = v;
    clearTimeout(timers[qid]);
    timers[qid] = setTimeout(function () { timers[qid] = null; flush(qid); }, DEBOUNCE_MS);
    render();
  }

  function flush(qid) {
    if (stopped || posting || !(qid in pending) || inflight[qid]) { return; }
    var v = pending[qid];
    delete pending[qid];
    inflight[qid] = true;
    render();
    var body = { answers: {} };
    body.answers[qid] = v;
    fetch(api + "/answers", {
      method: "PUT",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin"
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) { return { status: res.status, data: data }; });
    }).then(function (r) {
      inflight[qid] = false;
      if (r.status === 200) {
        failures = 0;
        sent[qid] = JSON.stringify(v);
        if (!(qid in pending)) { clearError(qid); }
        var pf = document.getElementById("pf-" + qid);
        if (pf) { pf.remove(); }
        applyProgress(r.data.progress);
        applyServerVisible(r.data.visible);
      } else if (r.status === 422) {
        // Refused values are not retried: the same value would be refused
        // again. The message stays until the supplier changes the answer.
        failures = 0;
        var fields = (r.data && r.data.error && r.data.error.fields) || [];
        var shown = false;
        fields.forEach(function (f) {
          if (fieldQuestion(f.path) === qid) { showError(qid, f.message); shown = true; }
        });
        if (!shown) { showError(qid, errorMessage(r.data, "This answer was not accepted.")); }
      } else if (r.status === 409 || r.status === 410 || r.status === 404) {
        stop(r.status, r.data);
      } else {
        retry(qid, v);
        return;
      }
      if ((qid in pending) && !timers[qid]) { flush(qid); }
      render();
    }, function () {
      inflight[qid] = false;
      retry(qid, v);
    });
  }

  // retry keeps the value (unless a newer one is waiting) and tries again
  // with exponential backoff: a flaky connection must not lose a word.
  function retry(qid, v) {
    if (!(qid in pending)) { pending[qid] = v; }
    failures++;
    render();
    clearTimeout(retryTimer);
    var delay = Math.min(RETRY_MAX_MS, 1000 * Math.pow(2, failures - 1));
    retryTimer = setTimeout(function () {
      Object.keys(pending).forEach(function (id) { if (!timers[id]) { flush(id); } });
    }, delay);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);

  // "Confirm" on an answer carried over from the last assessment saves it
  // as it is; without JavaScript the button saves the whole section.
  form.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest("[data-confirm-q]");
    if (!btn || stopped) { return; }
    e.preventDefault();
    var qid = btn.getAttribute("data-confirm-q");
    var q = document.getElementById("q-" + qid);
    if (!q) { return; }
    var v = valueOf(q);
    if (v === BAD_NUMBER) { return; }
    pending[qid] = v;
    flush(qid);
  });

  // "Save and continue" posts every field of the section, the values
  // waiting for autosave included: a PUT of the same values would only race
  // it, and warning that they are unsaved would be false.
  form.addEventListener("submit", function (e) {
    if (e.defaultPrevented || stopped) { return; }
    posting = true;
    Object.keys(timers).forEach(function (id) { clearTimeout(timers[id]); timers[id] = null; });
    clearTimeout(retryTimer);
    // Still here long after the post (cancelled, or no answer): the values
    // go the autosave way after all.
    setTimeout(resume, RESUME_AFTER_POST_MS);
  });

  function resume() {
    if (!posting) { return; }
    posting = false;
    Object.keys(pending).forEach(function (id) { if (!timers[id]) { flush(id); } });
  }

  window.addEventListener("beforeunload", function (e) {
    // Once stopped nothing more can be saved, so leaving loses nothing;
    // while posting, the form carries what autosave had not sent.
    if (!stopped && !posting && (busy() || failures > 0)) { e.preventDefault(); e.returnValue = ""; }
  });

  // --- evidence -----------------------------------------------------------

  function humanBytes(n) {
    // The same format as the server's bytes function (frontend.HumanBytes).
    if (n < 1000) { return n + " B"; }
    var div = 1000, exp = 0;
    for (var m = Math.floor(n / 1000); m >= 1000; m = Math.floor(m / 1000)) { div *= 1000; exp++; }
    return (n / div).toFixed(1) + " " + "kMGTPE".charAt(exp) + "B";
  }

  function filesList(qid) { return byQid("data-files", qid); }

  function addFile(qid, ev) {
    var list = filesList(qid);
    if (!list) { return; }
    var li = document.createElement("li");
    li.setAttribute("data-eid", ev.id);
    var a = document.createElement("a");
    a.href = page + "/evidence/" + encodeURIComponent(ev.id);
    a.setAttribute("download", "");
    a.textContent = ev.filename;
    var size = document.createElement("span");
    size.className = "muted small";
    size.setAttribute("data-size", "");
    size.textContent = humanBytes(ev.size);
    var rm = document.createElement("button");
    rm.type = "button";
    rm.className = "btn-small secondary";
    rm.setAttribute("data-remove", ev.id);
    rm.textContent = "Remove";
    var sr = document.createElement("span");
    sr.className = "sr-only";
    sr.textContent = " " + ev.filename;
    rm.appendChild(sr);
    li.appendChild(a);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(size);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(rm);
    list.appendChild(li);
  }

  function fileAnsweredDelta(qid, before) {
    var q = document.getElementById("q-" + qid);
    if (!q || q.getAttribute("data-type") !== "file") { return; }
    var now = answeredOnPage(q);
    if (now === before) { return; }
    var el = document.querySelector("[data-progress-answered]");
    if (el) {
      var p = { answered: Number(el.textContent) + (now ? 1 : -1), total: Number(document.querySelector("[data-progress-total]").textContent) };
      applyProgress(p);
    }
  }

  function upload(qid, file) {
    var list = byQid("data-uploads", qid);
    var li = document.createElement("li");
    var name = document.createElement("span");
    name.textContent = file.name + " (" + humanBytes(file.size) + ")";
    var bar = document.createElement("progress");
    bar.max = file.size || 1;
    bar.value = 0;
    bar.setAttribute("aria-label", "Uploading " + file.name);
    var msg = document.createElement("span");
    msg.className = "small";
    li.appendChild(name);
    li.appendChild(bar);
    li.appendChild(msg);
    list.appendChild(li);

    function fail(text) {
      bar.remove();
      li.className = "failed";
      msg.className = "field-error";
      msg.textContent = "Not uploaded: " + text;
      var dismiss = document.createElement("button");
      dismiss.type = "button";
      dismiss.className = "btn-small secondary";
      dismiss.textContent = "Dismiss";
      dismiss.addEventListener("click", function () { li.remove(); });
      li.appendChild(dismiss);
    }

    return new Promise(function (done) {
      if (maxUpload && file.size > maxUpload) {
        fail("the file is larger than the " + humanBytes(maxUpload) + " limit.");
        done();
        return;
      }
      var q = document.getElementById("q-" + qid);
      var before = q ? answeredOnPage(q) : false;
      var fd = new FormData();
      fd.append("question_id", qid);
      fd.append("file", file, file.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", api + "/evidence");
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) { bar.max = e.total; bar.value = e.loaded; }
      });
      xhr.addEventListener("load", function () {
        var data = null;
        try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
        if (xhr.status === 201 && data) {
          li.remove();
          addFile(qid, data);
          updateSectionCount();
          fileAnsweredDelta(qid, before);
        } else if (xhr.status === 409 || xhr.status === 410 || xhr.status === 404) {
          fail(errorMessage(data, "the questionnaire no longer takes files."));
          stop(xhr.status, data);
        } else {
          fail(errorMessage(data, "the server answered " + xhr.status + "."));
        }
        done();
      });
      xhr.addEventListener("error", function () { fail("the connection failed. Please try again."); done(); });
      xhr.send(fd);
    });
  }

  // Files go one after another: several large uploads at once would share
  // the connection and all finish late.
  function uploadAll(qid, files) {
    var list = Array.prototype.slice.call(files || []);
    list.reduce(function (p, f) { return p.then(function () { return upload(qid, f); }); }, Promise.resolve());
  }

  var zones = document.querySelectorAll("[data-dropzone]");
  Array.prototype.forEach.call(zones, function (zone) {
    var qid = zone.getAttribute("data-dropzone");
    var input = zone.querySelector("input[type=file]");
    var btn = zone.querySelector("[data-upload-button]");
    if (btn) { btn.hidden = true; }
    if (input) {
      input.addEventListener("change", function () {
        uploadAll(qid, input.files);
        input.value = "";
      });
    }
    function over(e) { e.preventDefault(); zone.classList.add("over"); }
    zone.addEventListener("dragenter", over);
    zone.addEventListener("dragover", over);
    zone.addEventListener("dragleave", function () { zone.classList.remove("over"); });
    zone.addEventListener("drop", function (e) {
      e.preventDefault();
      zone.classList.remove("over");
      if (e.dataTransfer) { uploadAll(qid, e.dataTransfer.files); }
    });
  });

  document.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest("[data-remove]");
    if (!btn) { return; }
    e.preventDefault();
    var eid = btn.getAttribute("data-remove");
    var li = btn.closest("li");
    var q = questionOf(btn);
    var before = q ? answeredOnPage(q) : false;
    btn.disabled = true;
    fetch(api + "/evidence/" + encodeURIComponent(eid), { method: "DELETE", headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (res) {
        if (res.status === 204) {
          li.remove();
          updateSectionCount();
          if (q) { fileAnsweredDelta(q.getAttribute("data-qid"), before); }
          return;
        }
        return res.json().catch(function () { return {}; }).then(function (data) {
          btn.disabled = false;
          if (res.status === 409 || res.status === 410) { stop(res.status, data); }
          var old = li.querySelector(".field-error");
          if (old) { old.remove(); }
          var err = document.createElement("span");
          err.className = "field-error";
          err.textContent = " " + errorMessage(data, "The file was not removed.");
          li.appendChild(err);
        });
      }, function () {
        btn.disabled = false;
      });
  });

  // On a narrow screen the section list sits above the questions: fold it
  // so the questions come first.
  var nav = document.getElementById("portal-nav");
  if (nav && window.matchMedia && window.matchMedia("(max-width: 760px)").matches) { nav.open = false; }

  applyLocalRules();
  render();
})();
