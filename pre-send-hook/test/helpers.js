// Test helpers: start the REAL Python service (`python -m sklint.serve serve`) on a free loopback
// port, and build an Office.js stand-in for one message with Microsoft's office-addin-mock.
"use strict";

const { spawn } = require("node:child_process");
const fs = require("node:fs");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");
const { OfficeMockObject } = require("office-addin-mock");

const REPO = path.resolve(__dirname, "..", "..");

function python() {
  if (process.env.SKLINT_PYTHON) return process.env.SKLINT_PYTHON;
  for (const p of [path.join(REPO, ".venv", "bin", "python"), path.join(REPO, ".venv", "Scripts", "python.exe")]) {
    if (fs.existsSync(p)) return p;
  }
  return "python3";
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Start `sklint serve` on 127.0.0.1; resolves {url, stop, dir, logs()} once /healthz answers. */
async function startService({ token, toml } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sklint-addin-"));
  const port = await freePort();
  const args = ["-m", "sklint.serve", "serve", "--host", "127.0.0.1", "--port", String(port)];
  if (toml) {
    fs.writeFileSync(path.join(dir, "sklint.toml"), toml);
    args.push("--config", path.join(dir, "sklint.toml"));
  }
  const env = {
    ...process.env,
    PYTHONPATH: REPO + (process.env.PYTHONPATH ? path.delimiter + process.env.PYTHONPATH : ""),
    SKLINT_RECORD_PATH: path.join(dir, "record.jsonl"),
    SKLINT_RECORD_KEY: "addin-test-key-0123456789",
    NO_PROXY: "127.0.0.1,localhost",
  };
  delete env.SKLINT_SERVE_TOKEN;
  if (token) env.SKLINT_SERVE_TOKEN = token;
  const child = spawn(python(), args, { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => { output += d; });
  child.stderr.on("data", (d) => { output += d; });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (let i = 0; ; i++) { // bounded: at most 90 s of 200 ms polls
    if (child.exitCode !== null) throw new Error("sklint serve exited:\n" + output);
    try {
      const r = await fetch(url + "/healthz");
      if (r.ok) break;
    } catch (e) { /* not up yet */ }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error("sklint serve did not start in time:\n" + output);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    dir,
    logs: () => output,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    }),
  };
}

function minor(version) {
  return Number(String(version).split(".")[1] || 0);
}

function asyncResult(value) {
  return { status: "succeeded", value };
}

/**
 * An Office stand-in for one message being composed. `sets` lists the Mailbox requirement sets
 * the client supports (default: up to 1.14).
 */
function makeOffice(msg, { sets = "1.14", user = "sam@charity.org.uk" } = {}) {
  const recipients = (list) => (list || []).map((a) => ({ displayName: a.name || "", emailAddress: a.email, recipientType: "externalUser" }));
  const attachments = msg.attachments || [];
  const notifications = [];
  const associated = {};
  const data = {
    AsyncResultStatus: { Succeeded: "succeeded", Failed: "failed" },
    CoercionType: { Text: "text", Html: "html" },
    MailboxEnums: {
      SendModeOverride: { PromptUser: "promptUser" },
      ItemNotificationMessageType: { InformationalMessage: "informationalMessage" },
    },
    actions: {
      associate: (name, fn) => { associated[name] = fn; },
    },
    context: {
      requirements: {
        // requirement set versions are major.minor: 1.8 < 1.12 < 1.14
        isSetSupported: (name, version) => name === "Mailbox" && minor(version) <= minor(String(sets)),
      },
      mailbox: {
        userProfile: { emailAddress: user, displayName: "Sam Worker" },
        item: {
          subject: { getAsync: (cb) => cb(asyncResult(msg.subject || "")) },
          body: {
            getAsync: (coercion, cb) => cb(asyncResult(coercion === "html" ? (msg.html || "") : (msg.text || ""))),
          },
          to: { getAsync: (cb) => cb(asyncResult(recipients(msg.to))) },
          cc: { getAsync: (cb) => cb(asyncResult(recipients(msg.cc))) },
          bcc: { getAsync: (cb) => cb(asyncResult(recipients(msg.bcc))) },
          from: { getAsync: (cb) => cb(asyncResult({ displayName: "Sam Worker", emailAddress: user })) },
          getAttachmentsAsync: (cb) => cb(asyncResult(attachments.map((a, i) => ({
            id: "att" + i, name: a.name, contentType: a.contentType, size: (a.content || "").length,
            attachmentType: a.cloud ? "cloud" : "file", isInline: false,
          })))),
          getAttachmentContentAsync: (id, cb) => {
            const a = attachments[Number(id.slice(3))];
            cb(asyncResult(a.cloud ? { format: "url", content: "https://example.org/x" }
              : a.eml ? { format: "eml", content: a.content }
                : { format: "base64", content: Buffer.from(a.content).toString("base64") }));
          },
          notificationMessages: {
            addAsync: (key, details, cb) => { notifications.push(details); cb(asyncResult(undefined)); },
          },
        },
      },
    },
  };
  const office = new OfficeMockObject(data, "outlook");
  return { office, notifications, associated };
}

/** Load the add-in's files fresh with `Office` set, as Outlook does. */
function loadAddin(office, config) {
  global.Office = office;
  global.SKLINT_CONFIG = config;
  for (const f of ["launchevent.js", "taskpane.js"]) delete require.cache[require.resolve(path.join("..", f))];
  const launch = require("../launchevent.js");
  const pane = require("../taskpane.js");
  return { launch, pane };
}

/** Run the OnMessageSend handler the way Outlook does: via the associated name. */
async function send(associated) {
  let completed = null;
  const event = { completed: (opts) => { completed = opts; } };
  await associated.onMessageSendHandler(event);
  return completed;
}

module.exports = { startService, makeOffice, loadAddin, send, freePort, REPO };
