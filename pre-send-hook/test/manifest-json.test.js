// manifest.json, the unified manifest for Microsoft 365 (issue 19): validated offline against
// Microsoft's own JSON schema as published in the npm package @microsoft/app-manifest (draft-04,
// checked with ajv), and checked to say what manifest.xml says: the same add-in id and version,
// OnMessageSend in SoftBlock mode run by launchevent.js, the task pane the Smart Alerts dialog
// opens, the same pages and origin.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const Ajv = require("ajv-draft-04");
const addFormats = require("ajv-formats");
const xml2js = require("xml2js");

const DIR = path.resolve(__dirname, "..");
const JSON_FILE = path.join(DIR, "manifest.json");
const XML_FILE = path.join(DIR, "manifest.xml");

function schemaFor(manifest) {
  const v = manifest.manifestVersion;
  const file = require.resolve(`@microsoft/app-manifest/build/json-schemas/teams/v${v}/MicrosoftTeams.schema.json`);
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

function validate(manifest) {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const check = ajv.compile(schemaFor(manifest));
  const ok = check(manifest);
  return { ok, errors: check.errors || [] };
}

test("manifest.json validates against Microsoft's published schema", () => {
  const manifest = JSON.parse(fs.readFileSync(JSON_FILE, "utf8"));
  assert.match(manifest.$schema, new RegExp(`/v${manifest.manifestVersion.replace(".", "\\.")}/MicrosoftTeams\\.schema\\.json`));
  const { ok, errors } = validate(manifest);
  assert.ok(ok, JSON.stringify(errors, null, 2));
});

test("the validation can fail: a manifest without its id or with a bad send mode is refused", () => {
  const manifest = JSON.parse(fs.readFileSync(JSON_FILE, "utf8"));
  const noId = structuredClone(manifest);
  delete noId.id;
  assert.equal(validate(noId).ok, false);
  const badMode = structuredClone(manifest);
  badMode.extensions[0].autoRunEvents[0].events[0].options.sendMode = "sometimes";
  assert.equal(validate(badMode).ok, false);
});

test("manifest.json and manifest.xml describe the same add-in", async () => {
  const json = JSON.parse(fs.readFileSync(JSON_FILE, "utf8"));
  const xml = await xml2js.parseStringPromise(fs.readFileSync(XML_FILE, "utf8"));
  const app = xml.OfficeApp;
  assert.equal(json.id, app.Id[0]);
  assert.equal(json.version, app.Version[0].split(".").slice(0, 3).join("."));
  const text = fs.readFileSync(XML_FILE, "utf8");
  // OnMessageSend in SoftBlock mode, run by the function the XML names
  assert.match(text, /<LaunchEvent Type="OnMessageSend" FunctionName="(\w+)" SendMode="SoftBlock"\s*\/>/);
  const fn = text.match(/<LaunchEvent Type="OnMessageSend" FunctionName="(\w+)"/)[1];
  const ext = json.extensions[0];
  const events = ext.autoRunEvents.flatMap((a) => a.events);
  assert.deepEqual(events.map((e) => [e.type, e.options.sendMode]), [["messageSending", "softBlock"]]);
  const actions = Object.fromEntries(ext.runtimes.flatMap((r) => r.actions.map((a) => [a.id, r])));
  assert.equal(events[0].actionId, fn);
  const eventRuntime = actions[fn];
  assert.equal(eventRuntime.code.script, "https://localhost:3000/launchevent.js");
  assert.equal(eventRuntime.code.page, "https://localhost:3000/commands.html");
  assert.match(fs.readFileSync(path.join(DIR, "launchevent.js"), "utf8"), new RegExp(`associate\\(\\s*["']${fn}["']`));
  // the task pane the dialog's button opens
  const pane = ext.ribbons[0].tabs[0].groups[0].controls[0];
  assert.equal(pane.id, "sklintOpenPane");
  assert.match(text, /<Control xsi:type="Button" id="sklintOpenPane">/);
  assert.equal(actions[pane.actionId].code.page, "https://localhost:3000/taskpane.html");
  // the same origin everywhere
  const { $schema: _schema, ...rest } = json;
  const urls = JSON.stringify(rest).match(/https:\/\/[^"/]+/g);
  assert.deepEqual([...new Set(urls)], ["https://localhost:3000"]);
});

test("`sklint addin package` writes a manifest.json that validates too", () => {
  const { execFileSync } = require("node:child_process");
  const os = require("node:os");
  const python = process.env.SKLINT_PYTHON || path.join(DIR, "..", ".venv", "bin", "python");
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "sklint-addin-"));
  execFileSync(python, ["-m", "sklint", "addin", "package", "--origin", "https://addin.example.org",
    "--out", path.join(out, "pkg")], { cwd: path.join(DIR, ".."), stdio: "pipe" });
  const manifest = JSON.parse(fs.readFileSync(path.join(out, "pkg", "manifest.json"), "utf8"));
  const { ok, errors } = validate(manifest);
  assert.ok(ok, JSON.stringify(errors, null, 2));
  assert.equal(manifest.validDomains[0], "https://addin.example.org");
  fs.rmSync(out, { recursive: true, force: true });
});
