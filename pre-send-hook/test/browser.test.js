// The add-in as Outlook's browser runtime runs it (issue 19): launchevent.js loaded by a page in
// headless Chromium, served from its own origin, calling the REAL sklint service on another
// loopback port through the browser's own fetch, so CORS (and the Private Network Access
// preflight header) are the browser's, not Node's. Office.js is still stood in by Microsoft's
// office-addin-mock: the page's `Office` forwards each asynchronous call to the mock object in
// Node (Playwright's exposeFunction) and hands its result to the handler's callback.
"use strict";

const { test, before, after, describe } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const http = require("node:http");
const os = require("node:os");
const path = require("node:path");
const { startService, makeOffice, freePort } = require("./helpers");

const DIR = path.resolve(__dirname, "..");
const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find((p) => fs.existsSync(p));

const RISKY = {
  subject: "Referral",
  text: "Hello,\n\nPlease see the referral below. NHS number 943 476 5919.\n\nThanks",
  html: "<p>Hello,</p><p>Please see the referral below. NHS number 943 476 5919.</p>",
  to: [{ name: "Duty Team", email: "duty@council.gov.uk" }],
};
const CLEAN = {
  subject: "Rota",
  text: "The office is closed on Friday.",
  html: "<p>The office is closed on Friday.</p>",
  to: [{ name: "Team", email: "team@charity.org.uk" }],
};

// The page: an Office whose synchronous parts are plain values and whose asynchronous calls go
// to the office-addin-mock object in Node; then the add-in's own launchevent.js.
const HARNESS = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>harness</title>
<script>
  const setup = JSON.parse(decodeURIComponent(location.hash.slice(1)));
  window.SKLINT_CONFIG = setup.config;
  window.__associated = {};
  const minor = (v) => Number(String(v).split(".")[1] || 0);
  const forward = (p) => (...args) => {
    const cb = typeof args[args.length - 1] === "function" ? args.pop() : null;
    window.__office(p, JSON.stringify(args)).then((r) => { if (cb) cb(JSON.parse(r)); });
  };
  const item = "context.mailbox.item.";
  window.Office = {
    AsyncResultStatus: { Succeeded: "succeeded", Failed: "failed" },
    CoercionType: { Text: "text", Html: "html" },
    MailboxEnums: { SendModeOverride: { PromptUser: "promptUser" },
                    ItemNotificationMessageType: { InformationalMessage: "informationalMessage" } },
    actions: { associate: (name, fn) => { window.__associated[name] = fn; } },
    context: {
      requirements: { isSetSupported: (name, v) => name === "Mailbox" && minor(v) <= minor(setup.sets) },
      mailbox: {
        userProfile: { emailAddress: "sam@charity.org.uk", displayName: "Sam Worker" },
        item: {
          subject: { getAsync: forward(item + "subject.getAsync") },
          body: { getAsync: forward(item + "body.getAsync") },
          to: { getAsync: forward(item + "to.getAsync") },
          cc: { getAsync: forward(item + "cc.getAsync") },
          bcc: { getAsync: forward(item + "bcc.getAsync") },
          from: { getAsync: forward(item + "from.getAsync") },
          getAttachmentsAsync: forward(item + "getAttachmentsAsync"),
          getAttachmentContentAsync: forward(item + "getAttachmentContentAsync"),
          notificationMessages: { addAsync: forward(item + "notificationMessages.addAsync") },
        },
      },
    },
  };
  window.runSend = () => new Promise((resolve) => {
    window.__associated.onMessageSendHandler({ completed: (opts) => resolve(opts) });
  });
</script>
<script src="launchevent.js"></script></head><body></body></html>`;

function staticServer(port) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    if (url.pathname === "/harness.html") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      return res.end(HARNESS);
    }
    const file = path.join(DIR, path.normalize(url.pathname).replace(/^([/\\])+/, ""));
    if (!file.startsWith(DIR) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, { "content-type": file.endsWith(".js") ? "text/javascript" : "text/html" });
    res.end(fs.readFileSync(file));
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

/** Office data for the Node-side mock: resolve a dotted path and call it with a callback. */
function dispatcher(office) {
  return (p, argsJson) => new Promise((resolve) => {
    const parts = p.split(".");
    let obj = office;
    for (const k of parts.slice(0, -1)) obj = obj[k];
    const args = JSON.parse(argsJson);
    obj[parts[parts.length - 1]](...args, (result) => resolve(JSON.stringify(result)));
  });
}

const skip = !CHROMIUM && "chromium is not installed (Debian: apt-get install -y chromium)";

describe("the add-in in headless Chromium against the real service", { skip }, () => {
  let chromium, browser, svc, closedSvc, web, webOrigin, otherWeb, otherOrigin;

  before(async () => {
    ({ chromium } = require("playwright-core"));
    const webPort = await freePort();
    const otherPort = await freePort();
    webOrigin = `http://127.0.0.1:${webPort}`;
    otherOrigin = `http://127.0.0.1:${otherPort}`;
    const toml = `[serve]\nallowed-origins = ["${webOrigin}"]\n`;
    svc = await startService({ toml });
    closedSvc = await startService({ toml: toml + 'fail-mode = "closed"\n' });
    web = await staticServer(webPort);
    otherWeb = await staticServer(otherPort);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  });

  after(async () => {
    if (browser) await browser.close();
    for (const s of [web, otherWeb]) if (s) s.close();
    for (const s of [svc, closedSvc]) if (s) await s.stop();
  });

  async function sendIn(origin, msg, config, { sets = "1.14" } = {}) {
    const page = await browser.newPage();
    const { office } = makeOffice(msg, { sets });
    await page.exposeFunction("__office", dispatcher(office));
    const requests = [];
    page.on("request", async (r) => {
      const entry = { url: r.url(), method: r.method(), headers: {} };
      requests.push(entry);
      entry.headers = await r.allHeaders();
    });
    const setup = encodeURIComponent(JSON.stringify({ config, sets }));
    await page.goto(`${origin}/harness.html#${setup}`);
    const opts = await page.evaluate(() => window.runSend());
    await page.close();
    return { opts, requests };
  }

  test("a clean message is allowed, through the browser's fetch from the add-in's origin", async () => {
    const { opts, requests } = await sendIn(webOrigin, CLEAN, { serviceUrl: svc.url });
    assert.deepEqual(opts, { allowEvent: true });
    const call = requests.find((r) => r.url.startsWith(svc.url + "/v1/check") && r.method === "POST");
    assert.ok(call, "the page itself called the service");
    assert.equal(call.headers.origin, webOrigin);
  });

  test("findings block the send, and the alert never repeats the match", async () => {
    const { opts } = await sendIn(webOrigin, RISKY, { serviceUrl: svc.url });
    assert.equal(opts.allowEvent, false);
    assert.match(opts.errorMessage, /nhs number/i);
    assert.ok(!opts.errorMessage.includes("943 476 5919"));
    assert.equal(JSON.parse(opts.contextData).verdict, "block");
  });

  test("an origin the service does not allow gets no answer the browser lets through", async () => {
    // the browser itself withholds the answer (no Access-Control-Allow-Origin for this origin):
    // to the add-in the service is unreachable, and its fail mode decides
    const open = await sendIn(otherOrigin, RISKY, { serviceUrl: svc.url, failMode: "open", timeoutMs: 3000 });
    assert.equal(open.opts.allowEvent, false);
    assert.equal(open.opts.sendModeOverride, "promptUser", "fail open offers Send Anyway");
    assert.match(open.opts.errorMessage, /could not be reached/);
    const closed = await sendIn(otherOrigin, RISKY, { serviceUrl: svc.url, failMode: "closed", timeoutMs: 3000 });
    assert.equal(closed.opts.allowEvent, false);
    assert.equal(closed.opts.sendModeOverride, undefined);
    assert.match(closed.opts.errorMessage, /fail closed/);
  });

  test("the service unreachable: fail open offers Send Anyway, fail closed holds the message", async () => {
    const nobody = `http://127.0.0.1:${await freePort()}`;
    const open = await sendIn(webOrigin, CLEAN, { serviceUrl: nobody, failMode: "open", timeoutMs: 3000 });
    assert.equal(open.opts.allowEvent, false);
    assert.equal(open.opts.sendModeOverride, "promptUser");
    assert.match(open.opts.errorMessage, /fail open/);
    const closed = await sendIn(webOrigin, CLEAN, { serviceUrl: nobody, failMode: "closed", timeoutMs: 3000 });
    assert.equal(closed.opts.allowEvent, false);
    assert.equal(closed.opts.sendModeOverride, undefined);
    assert.match(closed.opts.errorMessage, /fail closed/);
    // before Mailbox 1.14 there is no Send Anyway: fail open sends and leaves a notification
    const old = await sendIn(webOrigin, CLEAN, { serviceUrl: nobody, failMode: "open", timeoutMs: 3000 },
      { sets: "1.12" });
    assert.deepEqual(old.opts, { allowEvent: true });
  });
});
