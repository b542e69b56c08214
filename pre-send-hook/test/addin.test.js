// The add-in's OnMessageSend handler and task pane logic, run against the REAL sklint service
// (started with child_process on a free loopback port), with Office.js stood in by Microsoft's
// office-addin-mock.
"use strict";

const { test, before, after, describe } = require("node:test");
const assert = require("node:assert/strict");
const { startService, makeOffice, loadAddin, send, freePort } = require("./helpers");

const NHS = "943 476 5919";
const RISKY = {
  subject: "Referral",
  text: `Hello,\n\nPlease see the referral below. NHS number ${NHS}.\n\nThanks`,
  html: `<p>Hello,</p><p>Please see the referral below. NHS number ${NHS}.</p><p>Thanks</p>`,
  to: [{ name: "Duty Team", email: "duty@council.gov.uk" }],
};
const CLEAN = {
  subject: "Rota",
  text: "The office is closed on Friday.",
  html: "<p>The office is closed on Friday.</p>",
  to: [{ name: "Team", email: "team@charity.org.uk" }],
};
const CHECKLIST_FORM = {
  decision: "share",
  recipient_verified: true,
  purpose: "Safeguarding referral to the local authority duty team",
  lawful_basis: "legal-obligation",
  minimum_necessary: true,
  secure_method: "encrypted email",
  client_informed: "no",
  client_not_informed_reason: "informing the family could increase the risk to the child",
};

let svc;
before(async () => { svc = await startService(); });
after(async () => { if (svc) await svc.stop(); });

describe("OnMessageSend handler", () => {
  test("registers the manifest's FunctionName", () => {
    const { office, associated } = makeOffice(CLEAN);
    loadAddin(office, { serviceUrl: svc.url });
    assert.equal(typeof associated.onMessageSendHandler, "function");
  });

  test("a clean message is allowed", async () => {
    const { office, associated } = makeOffice(CLEAN);
    loadAddin(office, { serviceUrl: svc.url });
    assert.deepEqual(await send(associated), { allowEvent: true });
  });

  test("findings block the send with a short list and the task pane button", async () => {
    const { office, associated } = makeOffice(RISKY);
    loadAddin(office, { serviceUrl: svc.url });
    const opts = await send(associated);
    assert.equal(opts.allowEvent, false);
    assert.match(opts.errorMessage, /nhs number/i);
    assert.match(opts.errorMessage, /body/);
    assert.ok(!opts.errorMessage.includes(NHS), "the alert never repeats the match");
    assert.ok(opts.errorMessage.length <= 500);
    assert.equal(opts.commandId, "sklintOpenPane");
    assert.equal(opts.cancelLabel, "Review with sklint");
    assert.equal(JSON.parse(opts.contextData).verdict, "block");
    assert.equal(opts.sendModeOverride, undefined, "block keeps the manifest's SoftBlock");
  });

  test("before Mailbox 1.14 the alert has no 1.14 fields", async () => {
    const { office, associated } = makeOffice(RISKY, { sets: "1.12" });
    loadAddin(office, { serviceUrl: svc.url });
    const opts = await send(associated);
    assert.equal(opts.allowEvent, false);
    assert.ok(opts.errorMessage);
    assert.equal(opts.commandId, undefined);
    assert.equal(opts.contextData, undefined);
  });

  test("attachments are gathered and checked", async () => {
    const msg = {
      ...CLEAN,
      attachments: [
        { name: "referral.txt", contentType: "text/plain", content: `Client NHS number ${NHS}\n` },
        { name: "forwarded.eml", contentType: "message/rfc822", eml: true,
          content: "From: a@b.org\r\nTo: c@d.org\r\nSubject: hi\r\n\r\nNothing here.\r\n" },
        { name: "onedrive.xlsx", contentType: "application/vnd.ms-excel", cloud: true },
      ],
    };
    const { office, associated } = makeOffice(msg);
    const { launch, pane } = loadAddin(office, { serviceUrl: svc.url });
    const gathered = await launch.gatherMessage();
    assert.equal(gathered.attachments.length, 3);
    assert.equal(gathered.attachments[1].content_type, "message/rfc822");
    assert.equal(gathered.attachments[2].content_base64, undefined);
    assert.deepEqual(gathered.from, { name: "Sam Worker", email: "sam@charity.org.uk" });
    const { result } = await pane.checkMessage(undefined);
    const parts = result.files[0].findings.map((f) => f.part);
    assert.ok(parts.some((p) => p.startsWith("attachment:referral.txt")), JSON.stringify(parts));
    assert.deepEqual(result.files[0].not_inspected, ["onedrive.xlsx"]);
    const opts = await send(associated);
    assert.equal(opts.allowEvent, false);
    assert.match(opts.errorMessage, /attachment referral\.txt/);
  });

  test("a cloud attachment alone warns, with Send Anyway", async () => {
    const msg = { ...CLEAN, attachments: [{ name: "onedrive.xlsx", contentType: "application/vnd.ms-excel", cloud: true }] };
    const { office, associated } = makeOffice(msg);
    loadAddin(office, { serviceUrl: svc.url });
    const opts = await send(associated);
    assert.equal(opts.allowEvent, false);
    assert.equal(opts.sendModeOverride, "promptUser");
    assert.match(opts.errorMessage, /not checked/);
  });
});

describe("service unreachable", () => {
  let deadUrl;
  before(async () => { deadUrl = `http://127.0.0.1:${await freePort()}`; });

  test("fail closed holds the message and says so", async () => {
    const { office, associated } = makeOffice(CLEAN);
    loadAddin(office, { serviceUrl: deadUrl, failMode: "closed", timeoutMs: 1500 });
    const opts = await send(associated);
    assert.equal(opts.allowEvent, false);
    assert.match(opts.errorMessage, /could not be reached/);
    assert.match(opts.errorMessage, /fail closed/);
    assert.equal(opts.sendModeOverride, undefined);
  });

  test("fail open offers Send Anyway and says so", async () => {
    const { office, associated } = makeOffice(CLEAN);
    loadAddin(office, { serviceUrl: deadUrl, failMode: "open", timeoutMs: 1500 });
    const opts = await send(associated);
    assert.equal(opts.allowEvent, false);
    assert.equal(opts.sendModeOverride, "promptUser");
    assert.match(opts.errorMessage, /fail open/);
  });

  test("fail open without Mailbox 1.14 sends and leaves a notification", async () => {
    const { office, associated, notifications } = makeOffice(CLEAN, { sets: "1.12" });
    loadAddin(office, { serviceUrl: deadUrl, failMode: "open", timeoutMs: 1500 });
    const opts = await send(associated);
    assert.deepEqual(opts, { allowEvent: true });
    assert.equal(notifications.length, 1);
    assert.match(notifications[0].message, /unchecked \(fail open\)/);
  });
});

describe("task pane and the sharing record", () => {
  test("findings view and checklist reading", async () => {
    const { office } = makeOffice(RISKY);
    const { pane } = loadAddin(office, { serviceUrl: svc.url });
    const { result } = await pane.checkMessage();
    const items = pane.findingsView(result);
    assert.ok(items.some((i) => i.code === "SK105" && i.text.includes(NHS)), "the pane shows the match to the writer");
    const answers = pane.readChecklist((n) => CHECKLIST_FORM[n]);
    assert.equal(answers.decision, "share");
    assert.equal(answers.checklist.client_informed, false);
    assert.equal(answers.checklist.lawful_basis, "legal-obligation");
  });

  test("an incomplete checklist is refused with the problems listed", async () => {
    const { office } = makeOffice({ ...RISKY, subject: "Referral (incomplete)" });
    const { pane } = loadAddin(office, { serviceUrl: svc.url });
    const state = await pane.checkMessage();
    const res = await pane.recordDecision(undefined, state,
      pane.readChecklist((n) => ({ ...CHECKLIST_FORM, recipient_verified: false, client_informed: "" })[n]));
    assert.equal(res.ok, false);
    assert.ok(res.problems.some((p) => p.includes("recipient_verified")));
    assert.ok(res.problems.some((p) => p.includes("client_informed")));
  });

  test("recording the decision lets the next send of that message through", async () => {
    const msg = { ...RISKY, subject: "Referral for the duty team" };
    const { office, associated } = makeOffice(msg);
    const { pane } = loadAddin(office, { serviceUrl: svc.url });
    assert.equal((await send(associated)).allowEvent, false);

    const state = await pane.checkMessage();
    assert.equal(state.result.verdict, "block");
    const res = await pane.recordDecision(undefined, state, pane.readChecklist((n) => CHECKLIST_FORM[n]));
    assert.equal(res.ok, true, JSON.stringify(res));
    assert.ok(res.entry.seq >= 1);

    assert.deepEqual(await send(associated), { allowEvent: true });
    const again = await pane.checkMessage();
    assert.equal(again.result.recorded.decision, "share");
    assert.match(pane.statusText(again.result), /decision is recorded/);

    // the same text to someone else is a new decision
    const other = makeOffice({ ...msg, to: [{ name: "X", email: "x@elsewhere.org" }] });
    loadAddin(other.office, { serviceUrl: svc.url });
    assert.equal((await send(other.associated)).allowEvent, false);
  });

  test("nothing of the message reaches the service's log", () => {
    const logs = svc.logs();
    assert.ok(logs.includes("check: verdict="), logs);
    assert.ok(!logs.includes(NHS));
    assert.ok(!logs.includes("Referral"));
  });
});

describe("token", () => {
  let tokened;
  before(async () => {
    tokened = await startService({ token: "addin-shared-token", toml: "[serve]\nfail-mode = \"closed\"\n" });
  });
  after(async () => { if (tokened) await tokened.stop(); });

  test("the add-in sends its token", async () => {
    const { office, associated } = makeOffice(CLEAN);
    loadAddin(office, { serviceUrl: tokened.url, token: "addin-shared-token" });
    assert.deepEqual(await send(associated), { allowEvent: true });
  });

  test("a wrong token is reported and follows the fail mode", async () => {
    const { office, associated } = makeOffice(CLEAN);
    loadAddin(office, { serviceUrl: tokened.url, token: "wrong", failMode: "closed" });
    const opts = await send(associated);
    assert.equal(opts.allowEvent, false);
    assert.match(opts.errorMessage, /refused the add-in's token/);
    assert.match(opts.errorMessage, /fail closed/);
  });
});
