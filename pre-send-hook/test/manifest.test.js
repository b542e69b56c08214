// manifest.xml checked locally. Microsoft's online validator cannot be reached from here and no
// npm package we could find ships the add-in manifest XSDs (office-addin-manifest's `validate`
// posts the file to Microsoft's service), so this test encodes the schema rules this manifest
// relies on (element order of the OfficeApp sequence, required elements, namespaces, attribute
// enumerations, resource-id references and lengths) from the published schema documentation
// ([MS-OWEMXML]), and checks the manifest agrees with the handler file.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const xml2js = require("xml2js");
const { OfficeAddinManifest } = require("office-addin-manifest");

const DIR = path.resolve(__dirname, "..");
const FILE = path.join(DIR, "manifest.xml");
const NS = {
  app: "http://schemas.microsoft.com/office/appforoffice/1.1",
  bt: "http://schemas.microsoft.com/office/officeappbasictypes/1.0",
  vo10: "http://schemas.microsoft.com/office/mailappversionoverrides",
  vo11: "http://schemas.microsoft.com/office/mailappversionoverrides/1.1",
  xsi: "http://www.w3.org/2001/XMLSchema-instance",
};
// The OfficeApp sequence of the schema (MailApp), in order; * = required for MailApp.
const OFFICEAPP_ORDER = ["Id*", "AlternateId", "Version*", "ProviderName*", "DefaultLocale*", "DisplayName*",
  "Description*", "IconUrl", "HighResolutionIconUrl", "SupportUrl", "AppDomains", "Hosts", "Requirements",
  "FormSettings*", "Permissions*", "Rule*", "DisableEntityHighlighting", "VersionOverrides"];

async function parse() {
  const text = fs.readFileSync(FILE, "utf8");
  return xml2js.parseStringPromise(text, {
    explicitChildren: true, preserveChildrenOrder: true, xmlns: true, explicitArray: true,
  });
}

function children(node) {
  return node.$$ || [];
}
function local(node) {
  return node["#name"].replace(/^.*:/, "");
}
function attr(node, name) {
  const a = node.$ && Object.values(node.$).find((x) => x.local === name || x.name === name);
  return a ? a.value : undefined;
}
function find(node, pathNames) {
  let cur = [node];
  for (const p of pathNames) {
    cur = cur.flatMap((n) => children(n).filter((c) => local(c) === p));
  }
  return cur;
}
function walk(node, fn) {
  fn(node);
  children(node).forEach((c) => walk(c, fn));
}

test("office-addin-manifest reads it as an Outlook (MailApp) XML manifest", async () => {
  const info = await OfficeAddinManifest.readManifestFile(FILE);
  assert.equal(info.officeAppType, "MailApp");
  assert.deepEqual(info.hosts, ["Mailbox"]);
  assert.match(info.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.match(info.version, /^\d+(\.\d+){0,3}$/);
  assert.ok(info.displayName.length <= 125);
  assert.ok(info.description.length <= 250);
});

test("root element, namespaces and the OfficeApp sequence", async () => {
  const doc = await parse();
  const root = doc.OfficeApp;
  assert.ok(root, "root is OfficeApp");
  assert.equal(root.$ns.uri, NS.app);
  assert.equal(attr(root, "type"), "MailApp");
  const names = children(root).map(local);
  let pos = -1;
  for (const name of names) {
    const idx = OFFICEAPP_ORDER.findIndex((n) => n.replace("*", "") === name);
    assert.ok(idx >= 0, `unexpected element ${name}`);
    assert.ok(idx > pos, `element ${name} out of schema order`);
    pos = idx;
  }
  for (const req of OFFICEAPP_ORDER.filter((n) => n.endsWith("*"))) {
    assert.ok(names.includes(req.slice(0, -1)), `required element ${req.slice(0, -1)} missing`);
  }
  assert.ok(["Restricted", "ReadItem", "ReadWriteItem", "ReadWriteMailbox"].includes(find(root, ["Permissions"])[0]._));
});

test("event-based activation: OnMessageSend, Mailbox 1.12, SoftBlock, web and JS runtimes", async () => {
  const root = (await parse()).OfficeApp;
  const vo10 = find(root, ["VersionOverrides"])[0];
  assert.equal(vo10.$ns.uri, NS.vo10);
  assert.equal(attr(vo10, "type"), "VersionOverridesV1_0");
  const vo11 = find(vo10, ["VersionOverrides"])[0];
  assert.equal(vo11.$ns.uri, NS.vo11);
  assert.equal(attr(vo11, "type"), "VersionOverridesV1_1");
  assert.deepEqual(children(vo11).map(local), ["Requirements", "Hosts", "Resources"]);

  const sets = find(vo11, ["Requirements", "Sets"])[0];
  assert.equal(sets.$ns.uri, NS.bt);
  assert.equal(attr(sets, "DefaultMinVersion"), "1.12");
  assert.equal(attr(find(sets, ["Set"])[0], "Name"), "Mailbox");

  const host = find(vo11, ["Hosts", "Host"])[0];
  assert.equal(attr(host, "type"), "MailHost");
  assert.deepEqual(children(host).map(local), ["Runtimes", "DesktopFormFactor"]);
  const runtime = find(host, ["Runtimes", "Runtime"])[0];
  const override = find(runtime, ["Override"])[0];
  assert.equal(attr(override, "type"), "javascript");

  const dff = find(host, ["DesktopFormFactor"])[0];
  assert.equal(local(children(dff)[0]), "FunctionFile", "FunctionFile comes first in DesktopFormFactor");
  const launch = find(dff, ["ExtensionPoint"]).find((e) => attr(e, "type") === "LaunchEvent");
  assert.ok(launch, "a LaunchEvent extension point");
  const ev = find(launch, ["LaunchEvents", "LaunchEvent"]);
  assert.equal(ev.length, 1, "only one OnMessageSend may be declared");
  assert.equal(attr(ev[0], "Type"), "OnMessageSend");
  assert.ok(["PromptUser", "SoftBlock", "Block"].includes(attr(ev[0], "SendMode")));
  assert.equal(attr(ev[0], "SendMode"), "SoftBlock");
  assert.equal(attr(find(launch, ["SourceLocation"])[0], "resid"), attr(runtime, "resid"),
    "the LaunchEvent's SourceLocation is the runtime's resid");

  // the handler name and the task pane command match the handler file
  const js = fs.readFileSync(path.join(DIR, "launchevent.js"), "utf8");
  assert.ok(js.includes(`Office.actions.associate("${attr(ev[0], "FunctionName")}"`));
  const button = find(dff, ["ExtensionPoint"]).find((e) => attr(e, "type") === "MessageComposeCommandSurface");
  const control = find(button, ["OfficeTab", "Group", "Control"])[0];
  assert.ok(js.includes(`paneCommandId: "${attr(control, "id")}"`), "commandId opens this button's task pane");
  assert.equal(attr(find(control, ["Action"])[0], "type"), "ShowTaskpane");
});

test("every resid is defined once, short enough, and every URL is https and shipped", async () => {
  const root = (await parse()).OfficeApp;
  const vo11 = find(root, ["VersionOverrides", "VersionOverrides"])[0];
  const resources = find(vo11, ["Resources"])[0];
  const defined = new Map();
  walk(resources, (n) => {
    const id = attr(n, "id");
    if (id && ["Image", "Url", "String"].includes(local(n))) {
      assert.ok(!defined.has(id), `resource id ${id} defined twice`);
      assert.ok(id.length <= 32, `resource id ${id} longer than 32 characters`);
      defined.set(id, { kind: local(n), value: attr(n, "DefaultValue"), parent: local(n) });
    }
  });
  const used = [];
  walk(find(vo11, ["Hosts"])[0], (n) => { const r = attr(n, "resid"); if (r) used.push(r); });
  assert.ok(used.length > 5);
  for (const r of used) assert.ok(defined.has(r), `resid ${r} is not defined in Resources`);
  const urls = [];
  walk(root, (n) => {
    const v = attr(n, "DefaultValue");
    if (v && /^[a-z]+:\/\//i.test(v)) urls.push(v);
  });
  for (const u of urls) {
    assert.match(u, /^https:\/\//, `${u} must be https`);
    const file = new URL(u).pathname.replace(/^\//, "");
    assert.ok(fs.existsSync(path.join(DIR, file)), `${file} referenced by the manifest is not in pre-send-hook/`);
  }
});
