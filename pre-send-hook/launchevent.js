/*
 * sklint pre-send check: the OnMessageSend handler (Outlook Smart Alerts).
 *
 * One self-contained file, no imports: classic Outlook on Windows runs it in a JavaScript-only
 * runtime that supports no modules. Outlook on the web, new Outlook and Mac load it from
 * commands.html. The task pane loads it too and reuses gatherMessage() and callService().
 *
 * On Send: gather subject, body (text and HTML), sender, recipients and attachments through
 * Office.js, POST them to the sklint service (/v1/check), and
 *   - verdict "send": let the message go;
 *   - verdict "warn": stop with a short list of what was found, offering Send Anyway (1.14);
 *   - verdict "block": stop (SoftBlock) with a short list and a button that opens the task pane,
 *     where the user edits the message or records a Data Sharing Checklist decision.
 * Service unreachable: fail open or closed as configured, and say which in the alert.
 *
 * Settings (edit DEFAULTS when deploying, or set globalThis.SKLINT_CONFIG before this file):
 *   serviceUrl  where `sklint serve` listens (default http://127.0.0.1:8765)
 *   token       the service's SKLINT_SERVE_TOKEN, for a shared host ("" for a local service)
 *   failMode    "open" or "closed" when the service cannot be reached; the service's own
 *               [serve] fail-mode wins once it has been seen (remembered in OfficeRuntime.storage)
 */
(function (root) {
  "use strict";

  var DEFAULTS = {
    serviceUrl: "http://127.0.0.1:8765",
    token: "",
    failMode: "open",
    timeoutMs: 4000,
    maxAttachmentBytes: 20 * 1024 * 1024,
    paneCommandId: "sklintOpenPane",
  };
  var MAX_ALERT = 500; // Smart Alerts errorMessage limit
  var FAIL_MODE_KEY = "sklint.failMode";

  function settings() {
    var cfg = {};
    var k;
    for (k in DEFAULTS) cfg[k] = DEFAULTS[k];
    var over = root.SKLINT_CONFIG || {};
    for (k in over) if (over[k] !== undefined) cfg[k] = over[k];
    cfg.serviceUrl = String(cfg.serviceUrl).replace(/\/+$/, "");
    return cfg;
  }

  // -- Office.js callbacks as promises --------------------------------------------------------

  function officeCall(target, method, args) {
    return new Promise(function (resolve, reject) {
      var all = (args || []).slice();
      all.push(function (result) {
        if (result && result.status === Office.AsyncResultStatus.Failed) {
          reject(new Error((result.error && result.error.message) || method + " failed"));
        } else {
          resolve(result ? result.value : undefined);
        }
      });
      target[method].apply(target, all);
    });
  }

  function supports(version) {
    try {
      return !!Office.context.requirements.isSetSupported("Mailbox", version);
    } catch (e) {
      return false;
    }
  }

  function toBase64(text) {
    // UTF-8 bytes, then base64, without Buffer (not in Outlook's runtimes)
    return btoa(unescape(encodeURIComponent(text)));
  }

  function address(a) {
    if (!a || !a.emailAddress || a.emailAddress.indexOf("@") < 0) return null;
    return { name: a.displayName || "", email: a.emailAddress };
  }

  function addresses(list) {
    var out = [];
    (list || []).forEach(function (a) {
      var x = address(a);
      if (x) out.push(x);
    });
    return out;
  }

  /** The message being sent, in the service's JSON shape. */
  async function gatherMessage(item) {
    item = item || Office.context.mailbox.item;
    var cfg = settings();
    var text = officeCall(item.body, "getAsync", [Office.CoercionType.Text]);
    var html = officeCall(item.body, "getAsync", [Office.CoercionType.Html]);
    var subject = officeCall(item.subject, "getAsync", []);
    var to = officeCall(item.to, "getAsync", []);
    var cc = officeCall(item.cc, "getAsync", []);
    var bcc = item.bcc ? officeCall(item.bcc, "getAsync", []) : Promise.resolve([]);
    var from = item.from && supports("1.7") ? officeCall(item.from, "getAsync", []).catch(function () { return null; })
      : Promise.resolve(null);
    var message = {
      subject: (await subject) || "",
      body_text: (await text) || "",
      body_html: (await html) || "",
      to: addresses(await to),
      cc: addresses(await cc),
      bcc: addresses(await bcc),
      attachments: [],
    };
    var sender = address(await from);
    if (sender) message.from = sender;
    if (supports("1.8") && item.getAttachmentsAsync) {
      var atts = (await officeCall(item, "getAttachmentsAsync", [])) || [];
      for (var i = 0; i < atts.length; i++) {
        var a = atts[i];
        var entry = { name: a.name || "attachment", content_type: a.contentType || "application/octet-stream" };
        if (a.attachmentType !== "cloud" && !(a.size > cfg.maxAttachmentBytes)) {
          try {
            var c = await officeCall(item, "getAttachmentContentAsync", [a.id]);
            if (c && c.format === "base64") entry.content_base64 = c.content;
            else if (c && c.format === "eml") {
              entry.content_base64 = toBase64(c.content);
              entry.content_type = "message/rfc822";
              if (!/\.eml$/i.test(entry.name)) entry.name += ".eml";
            } else if (c && c.format === "iCalendar") {
              entry.content_base64 = toBase64(c.content);
              entry.content_type = "text/calendar";
            }
            // format "url" (a cloud file): sent by name only; the service reports it unchecked
          } catch (e) {
            // unreadable attachment: sent by name only, the service says it was not checked
          }
        }
        message.attachments.push(entry);
      }
    }
    return message;
  }

  // -- the service ----------------------------------------------------------------------------

  function ServiceError(kind, message, status, body) {
    this.name = "ServiceError";
    this.kind = kind; // "unreachable" | "refused" | "rejected"
    this.message = message;
    this.status = status;
    this.body = body;
  }
  ServiceError.prototype = Object.create(Error.prototype);

  async function callService(path, payload, cfg) {
    cfg = cfg || settings();
    var headers = { "Content-Type": "application/json" };
    if (cfg.token) headers.Authorization = "Bearer " + cfg.token;
    var controller = typeof AbortController !== "undefined" ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, cfg.timeoutMs) : null;
    var resp;
    try {
      resp = await fetch(cfg.serviceUrl + path, {
        method: "POST",
        headers: headers,
        body: JSON.stringify(payload),
        signal: controller ? controller.signal : undefined,
      });
    } catch (e) {
      throw new ServiceError("unreachable", "the sklint service at " + cfg.serviceUrl + " could not be reached");
    } finally {
      if (timer) clearTimeout(timer);
    }
    var body = null;
    try {
      body = await resp.json();
    } catch (e) {
      body = null;
    }
    if (resp.status === 401) {
      throw new ServiceError("refused", "the sklint service refused the add-in's token", 401, body);
    }
    if (resp.status >= 500) {
      throw new ServiceError("unreachable", "the sklint service failed on this message", resp.status, body);
    }
    if (!resp.ok) {
      throw new ServiceError("rejected", (body && body.message) || "the sklint service rejected the request",
        resp.status, body);
    }
    if (body && (body.fail_mode === "open" || body.fail_mode === "closed")) rememberFailMode(body.fail_mode);
    return body;
  }

  function storage() {
    try {
      return typeof OfficeRuntime !== "undefined" && OfficeRuntime.storage ? OfficeRuntime.storage : null;
    } catch (e) {
      return null;
    }
  }

  function rememberFailMode(mode) {
    var s = storage();
    if (s) s.setItem(FAIL_MODE_KEY, mode).catch(function () {});
  }

  async function failMode(cfg) {
    var s = storage();
    if (s) {
      try {
        var seen = await s.getItem(FAIL_MODE_KEY);
        if (seen === "open" || seen === "closed") return seen;
      } catch (e) { /* fall through */ }
    }
    return cfg.failMode === "closed" ? "closed" : "open";
  }

  // -- what the user is told ------------------------------------------------------------------

  var PART_NAMES = { subject: "subject", body: "body", headers: "recipients" };

  function partName(part) {
    if (PART_NAMES[part]) return PART_NAMES[part];
    if (part && part.indexOf("attachment:") === 0) return "attachment " + part.slice(11);
    return part || "message";
  }

  function ruleName(f) {
    return String(f.rule || f.code).replace(/-/g, " ");
  }

  /** A short alert text: what was found (rule names with counts) and where. Never the matches. */
  function summarise(result) {
    var file = (result.files && result.files[0]) || { findings: [] };
    var counts = {};
    var order = [];
    var parts = {};
    file.findings.forEach(function (f) {
      if (f.severity === "info") return;
      var name = ruleName(f);
      if (!counts[name]) {
        counts[name] = 0;
        order.push(name);
      }
      counts[name] += 1;
      parts[partName(f.part)] = true;
    });
    var lines = [];
    if (order.length) {
      lines.push("sklint found personal data: " + order.map(function (n) {
        return n + (counts[n] > 1 ? " (" + counts[n] + ")" : "");
      }).join(", ") + " in " + Object.keys(parts).join(", ") + ".");
    }
    (result.reasons || []).forEach(function (r) { lines.push(r.charAt(0).toUpperCase() + r.slice(1) + "."); });
    if (result.verdict === "block") {
      lines.push("Remove it, or choose Review with sklint to record your Data Sharing Checklist decision, then send again.");
    } else {
      lines.push("Check it is needed before sending.");
    }
    var text = lines.join(" ");
    return text.length > MAX_ALERT ? text.slice(0, MAX_ALERT - 1) + "\u2026" : text;
  }

  function completedOptions(result, cfg) {
    if (result.verdict === "send") return { allowEvent: true };
    var opts = { allowEvent: false, errorMessage: summarise(result) };
    if (supports("1.14")) {
      opts.cancelLabel = "Review with sklint";
      opts.commandId = cfg.paneCommandId;
      opts.contextData = JSON.stringify({ fingerprint: result.fingerprint, verdict: result.verdict });
      if (result.verdict === "warn") opts.sendModeOverride = Office.MailboxEnums.SendModeOverride.PromptUser;
    }
    return opts;
  }

  async function unavailableOptions(err, cfg) {
    var mode = await failMode(cfg);
    var why = err && err.message ? err.message : "the sklint service could not be reached";
    if (mode === "closed") {
      return {
        allowEvent: false,
        errorMessage: ("sklint could not check this message: " + why +
          ". This add-in is set to fail closed, so the message is held until the service is running again.").slice(0, MAX_ALERT),
      };
    }
    if (supports("1.14")) {
      return {
        allowEvent: false,
        errorMessage: ("sklint could not check this message: " + why +
          ". This add-in is set to fail open: choose Send Anyway to send it unchecked.").slice(0, MAX_ALERT),
        sendModeOverride: Office.MailboxEnums.SendModeOverride.PromptUser,
      };
    }
    return { allowEvent: true, notice: "sent unchecked (fail open): " + why };
  }

  async function notify(item, text) {
    try {
      await officeCall(item.notificationMessages, "addAsync", ["sklint", {
        type: Office.MailboxEnums.ItemNotificationMessageType.InformationalMessage,
        message: text.slice(0, 150), icon: "Icon.16x16", persistent: false,
      }]);
    } catch (e) { /* nothing more can be done */ }
  }

  /** The OnMessageSend handler named in manifest.xml. */
  async function onMessageSendHandler(event) {
    var cfg = settings();
    var item = Office.context.mailbox.item;
    var opts;
    try {
      var message = await gatherMessage(item);
      var result = await callService("/v1/check", message, cfg);
      opts = completedOptions(result, cfg);
    } catch (err) {
      if (err && err.kind === "rejected") {
        opts = { allowEvent: false, errorMessage: ("sklint could not check this message: " + err.message).slice(0, MAX_ALERT) };
      } else {
        opts = await unavailableOptions(err, cfg);
      }
    }
    if (opts.notice) {
      await notify(item, opts.notice);
      delete opts.notice;
    }
    event.completed(opts);
    return opts;
  }

  var api = {
    DEFAULTS: DEFAULTS,
    settings: settings,
    gatherMessage: gatherMessage,
    callService: callService,
    summarise: summarise,
    completedOptions: completedOptions,
    onMessageSendHandler: onMessageSendHandler,
    ServiceError: ServiceError,
  };
  root.sklint = api;
  if (typeof Office !== "undefined" && Office.actions && Office.actions.associate) {
    Office.actions.associate("onMessageSendHandler", onMessageSendHandler);
  }
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
