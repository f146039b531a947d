// Review workspace: a question's forms post in the background and the
// question, the score panel and the page's header are refreshed in place,
// so a reviewer keeps their place in a long questionnaire. Without this
// script the same forms post normally and the page comes back at the
// question (#q-<id>); the server renders both answers the same way.
(function () {
  "use strict";
  var live = document.createElement("p");
  live.className = "sr-only";
  live.setAttribute("role", "status");
  document.body.appendChild(live);

  // Parts of the page an action can change besides its own question.
  var shared = ["score-panel", "review-facts", "findings-link"];

  function replace(id, doc) {
    var now = document.getElementById(id);
    var next = doc.getElementById(id);
    if (now && next) {
      now.replaceWith(document.importNode(next, true));
    } else if (now) {
      now.remove();
    } else if (next && id === "complete") {
      var main = document.querySelector(".review-main");
      if (main) { main.appendChild(document.importNode(next, true)); }
    }
  }

  // Puts focus back where it was: the same button of the same form in the
  // refreshed question, or the first field the server marked invalid.
  function refocus(qid, action, value) {
    var q = document.getElementById("q-" + qid);
    if (!q) { return; }
    var target = q.querySelector("[aria-invalid=true]");
    if (!target) {
      q.querySelectorAll("form").forEach(function (f) {
        if (target || f.getAttribute("action") !== action) { return; }
        target = value ? f.querySelector('button[value="' + value + '"]') : f.querySelector("button");
      });
    }
    (target || q).focus({ preventScroll: true });
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (e.defaultPrevented || !form.matches || !form.matches("form[data-review]")) { return; }
    if (form.hasAttribute("data-plain")) { return; }
    e.preventDefault();
    var qid = form.getAttribute("data-review");
    var action = form.getAttribute("action");
    var submitter = e.submitter;
    var body = new URLSearchParams(new FormData(form));
    if (submitter && submitter.name) { body.append(submitter.name, submitter.value); }
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    live.textContent = "Saving…";
    fetch(action, { method: "POST", body: body, credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (res) {
        if (res.status !== 200 && res.status !== 422) { throw new Error("status " + res.status); }
        return res.text().then(function (html) { return { ok: res.status === 200, html: html }; });
      })
      .then(function (r) {
        var doc = new DOMParser().parseFromString(r.html, "text/html");
        if (!doc.getElementById("q-" + qid)) { throw new Error("question missing from the answer"); }
        replace("q-" + qid, doc);
        shared.forEach(function (id) { replace(id, doc); });
        replace("complete", doc);
        refocus(qid, action, submitter && submitter.value);
        var err = document.querySelector("#q-" + CSS.escape(qid) + " .field-error");
        live.textContent = r.ok ? "Saved." : "Not saved: " + (err ? err.textContent : "please check the form.");
      })
      .catch(function () {
        // Whatever went wrong, the ordinary post still works and shows
        // the server's own page, error page included.
        buttons.forEach(function (b) { b.disabled = false; });
        form.setAttribute("data-plain", "");
        if (form.requestSubmit) { form.requestSubmit(submitter || undefined); } else { form.submit(); }
      });
  });
})();
