/*
 * sklint task pane: shows what the service found in the message being written and asks the Data
 * Sharing Checklist (policy 000 §4, policy 003 §6.4). "Record decision" POSTs the answers to
 * /v1/record; the service stores them against the message's fingerprint in its HMAC-chained
 * sharing record, and the next Send of the same message (same content, same recipients) passes.
 *
 * Uses gatherMessage() and callService() from launchevent.js (loaded first). The logic is kept
 * apart from the DOM (readChecklist, findingsView, checkMessage, recordDecision) so it can be
 * tested in Node against the running service.
 */
(function (root) {
  "use strict";

  var core = root.sklint || (typeof require !== "undefined" ? require("./launchevent.js") : null);

  var LABELS = {
    subject: "Subject", body: "Body", headers: "Recipients",
  };

  function where(f) {
    var part = LABELS[f.part] || (f.part && f.part.indexOf("attachment:") === 0 ? "Attachment " + f.part.slice(11) : f.part);
    return f.line ? part + ", line " + f.line : part;
  }

  /** One line per finding: severity, what, where, and the matched text when the service sent it. */
  function findingsView(result) {
    var file = (result && result.files && result.files[0]) || { findings: [] };
    var items = file.findings.map(function (f) {
      return {
        severity: f.severity,
        code: f.code,
        text: f.code + " " + String(f.rule).replace(/-/g, " ") + ": " + f.message + " (" + where(f) + ")" +
          (f.match ? " \u2014 \u201c" + f.match + "\u201d" : ""),
      };
    });
    (file.not_inspected || []).forEach(function (name) {
      items.push({ severity: "warning", code: "", text: "Attachment " + name + " was not checked (not sent to sklint)" });
    });
    if (file.error) items.push({ severity: "warning", code: "", text: "The message could not be read: " + file.error });
    return items;
  }

  function statusText(result) {
    if (result.recorded && result.recorded.decision === "share") {
      return "A sharing decision is recorded for this message (entry " + result.recorded.seq + "). You can send it.";
    }
    if (result.verdict === "send") return "Nothing that needs a decision was found. You can send it.";
    if (result.verdict === "warn") return "Check what was found before sending.";
    return "Sending is held: remove what was found, or complete the checklist and record your decision.";
  }

  /**
   * The checklist answers from the form. `get(name)` returns a checkbox's checked state, the
   * chosen radio value, or a field's text.
   */
  function readChecklist(get) {
    var informed = get("client_informed");
    var checklist = {
      recipient_verified: !!get("recipient_verified"),
      purpose: String(get("purpose") || "").trim(),
      minimum_necessary: !!get("minimum_necessary"),
      secure_method: String(get("secure_method") || "").trim(),
      client_not_informed_reason: String(get("client_not_informed_reason") || "").trim(),
    };
    var basis = String(get("lawful_basis") || "");
    if (basis) checklist.lawful_basis = basis;
    if (informed === "yes") checklist.client_informed = true;
    else if (informed === "no") checklist.client_informed = false;
    return { decision: get("decision") === "not-share" ? "not-share" : "share", checklist: checklist };
  }

  /** Check the message being written; the pane asks for the matched text so the user can find it. */
  async function checkMessage(cfg, item) {
    var message = await core.gatherMessage(item);
    var result = await core.callService("/v1/check?show_matches=true", message, cfg);
    return { message: message, result: result };
  }

  function who() {
    try {
      return Office.context.mailbox.userProfile.emailAddress || "";
    } catch (e) {
      return "";
    }
  }

  /**
   * Record the decision. The message is sent again so a restarted service can re-check it; the
   * service refuses if it no longer matches the fingerprint that was checked.
   * Returns {ok: true, entry} or {ok: false, message, problems}.
   */
  async function recordDecision(cfg, state, answers) {
    var payload = {
      message_fingerprint: state.result.fingerprint,
      decision: answers.decision,
      checklist: answers.checklist,
      message: state.message,
    };
    var me = who();
    if (me) payload.who = me;
    try {
      var entry = await core.callService("/v1/record", payload, cfg);
      return { ok: true, entry: entry };
    } catch (err) {
      var body = err.body || {};
      return { ok: false, message: err.message, problems: body.problems || [] };
    }
  }

  // -- the DOM --------------------------------------------------------------------------------

  function start(doc) {
    var cfg = core.settings();
    var state = null;
    var statusEl = doc.getElementById("status");
    var listEl = doc.getElementById("findings");
    var problemsEl = doc.getElementById("problems");
    var form = doc.getElementById("checklist");

    function show(result) {
      statusEl.textContent = statusText(result);
      statusEl.className = "status " + (result.recorded ? "send" : result.verdict);
      listEl.textContent = "";
      var items = findingsView(result);
      if (!items.length) {
        var none = doc.createElement("li");
        none.textContent = "Nothing found.";
        listEl.appendChild(none);
      }
      items.forEach(function (it) {
        var li = doc.createElement("li");
        var sev = doc.createElement("span");
        sev.className = "sev-" + it.severity;
        sev.textContent = it.severity + " ";
        li.appendChild(sev);
        li.appendChild(doc.createTextNode(it.text)); // text only: never HTML from the message
        listEl.appendChild(li);
      });
    }

    function refresh() {
      return checkMessage(cfg).then(function (s) {
        state = s;
        show(s.result);
      }, function (err) {
        statusEl.textContent = "Could not check this message: " + err.message + ".";
        statusEl.className = "status block";
      });
    }

    function get(name) {
      var els = form.elements[name];
      if (!els) return "";
      if (els.type === "checkbox") return els.checked;
      if (typeof els.length === "number" && !els.tagName) { // a radio group
        for (var i = 0; i < els.length; i++) if (els[i].checked) return els[i].value;
        return "";
      }
      return els.value;
    }

    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      problemsEl.textContent = "";
      // Check again first: the fingerprint must be of the message as it is now.
      refresh().then(function () {
        if (!state) return;
        return recordDecision(cfg, state, readChecklist(get)).then(function (res) {
          if (res.ok) {
            statusEl.textContent = "Decision recorded (entry " + res.entry.seq + "). " +
              (res.entry.decision === "share" ? "Press Send again." : "The message will not be sent as it is.");
            statusEl.className = "status send";
          } else {
            problemsEl.textContent = [res.message].concat(res.problems).join(" \u2022 ");
          }
        });
      });
    });
    refresh();
  }

  var api = {
    findingsView: findingsView,
    statusText: statusText,
    readChecklist: readChecklist,
    checkMessage: checkMessage,
    recordDecision: recordDecision,
    start: start,
  };
  root.sklintPane = api;
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
