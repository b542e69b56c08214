"""`sklint addin package`: a ready-to-upload Outlook add-in for one organisation (issue 19).

The add-in's files live in `pre-send-hook/` (installed as the package data `sklint.addindata`).
Packaging writes them with the organisation's HTTPS origin in place of the development origin,
a stable add-in id of its own (a UUID derived from the origin: packaging again for the same
origin gives the same id, so an update replaces the add-in instead of installing a second one),
the service URL set in `launchevent.js`, the unified-manifest app package (a zip) for the
Microsoft 365 admin centre, and one page of steps for the administrator.
"""
from __future__ import annotations

import json
import re
import shutil
import sys
import uuid
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import click

DEV_ORIGIN = "https://localhost:3000"
DEV_ID = "6f0c5d1e-3a57-4b1e-9d0e-5c4b2f7a8e31"
DEV_SERVICE = "http://127.0.0.1:8765"
STATIC = ("commands.html", "launchevent.js", "taskpane.html", "taskpane.js", "help.html")
# the namespace of the ids sklint gives packaged add-ins (uuid5 of the origin under it)
ID_NAMESPACE = uuid.UUID("0b3f8e0a-9d57-4c55-8a54-6b1f0f7e5a21")


def addin_dir() -> Path:
    """The add-in's source files: pre-send-hook/ in a checkout, else the installed package data."""
    here = Path(__file__).resolve().parent
    for d in (here.parent / "pre-send-hook", here / "addindata"):
        if (d / "manifest.xml").is_file():
            return d
    try:
        from importlib import resources
        d = Path(str(resources.files("sklint.addindata")))
        if (d / "manifest.xml").is_file():
            return d
    except (ImportError, ModuleNotFoundError, TypeError):
        pass
    raise click.ClickException("the add-in's files are not installed with this sklint")


def check_origin(origin: str) -> str:
    parts = urlsplit(origin.strip())
    if parts.scheme != "https" or not parts.hostname or parts.path not in ("", "/") or \
            parts.query or parts.fragment or parts.username:
        raise click.BadParameter("give the HTTPS origin the add-in's files are served from, "
                                 "like https://addin.example.org (no path)", param_hint="--origin")
    return f"https://{parts.netloc}"


def addin_id(origin: str) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, origin.lower()))


def _replace_all(text: str, origin: str, new_id: str) -> str:
    return text.replace(DEV_ORIGIN, origin).replace(DEV_ID, new_id)


STEPS = """# Deploying the sklint pre-send check for {origin}

Made by `sklint addin package` (add-in id {id}). Four steps; the first two once, the last two on
each computer that sends client information.

1. **Publish the add-in's files.** Copy everything in `web/` to {origin}/ (the charity's web host
   or an Azure Static Web App: any HTTPS host you control; not SharePoint). Check that
   {origin}/commands.html opens in a browser.
2. **Deploy the add-in to your users.** Microsoft 365 admin centre (admin.microsoft.com) ->
   Settings -> Integrated apps -> Upload custom apps. Choose *Office Add-in* and upload
   `manifest.xml` (every Outlook: Windows, Mac, web), or choose the app package and upload
   `sklint-addin.zip` (the unified manifest: Outlook on the web and on Windows). Assign it to the
   users or groups who send client information, then Deploy. It reaches their Outlook within
   24 hours; they restart Outlook once. Smart Alerts only run for add-ins deployed this way.
3. **Install sklint on each computer** (Python 3.11): `pip install sklint`.
4. **Start the service at login**: `sklint serve --install`, then `sklint serve --status` says
   whether it runs. The add-in talks to it at {service}.

To update: run `sklint addin package` again with the same origin (same id), publish `web/`
again; the admin centre needs a new upload only when `manifest.xml` changed.
"""


@click.group("addin")
def addin() -> None:
    """The Outlook add-in: package it for your organisation."""


@addin.command("package")
@click.option("--origin", required=True, help="The HTTPS origin the add-in's files will be served from.")
@click.option("--out", "out_dir", default="sklint-addin", show_default=True, type=click.Path(file_okay=False),
              help="Where to write the package.")
@click.option("--service-url", default=DEV_SERVICE, show_default=True,
              help="Where the add-in finds `sklint serve` (each desktop's own by default).")
@click.option("--force", is_flag=True, help="Write into a folder that is not empty.")
def package(origin: str, out_dir: str, service_url: str, force: bool) -> None:
    """Write the add-in for ORIGIN: both manifests, the files to publish, a zip for the admin
    centre and the steps left to do."""
    origin = check_origin(origin)
    svc = urlsplit(service_url)
    if svc.scheme not in ("http", "https") or not svc.hostname:
        raise click.BadParameter("a URL like http://127.0.0.1:8765", param_hint="--service-url")
    out = Path(out_dir)
    if out.exists() and any(out.iterdir()) and not force:
        click.echo(f"sklint: {out}: not empty (use --force to write into it)", err=True)
        sys.exit(2)
    src = addin_dir()
    new_id = addin_id(origin)
    web = out / "web"
    (web / "assets").mkdir(parents=True, exist_ok=True)
    for name in STATIC:
        text = (src / name).read_text(encoding="utf-8")
        if name == "launchevent.js":
            text, n = re.subn(r'(serviceUrl:\s*)"[^"]*"', lambda m: f'{m.group(1)}{json.dumps(service_url)}', text,
                              count=1)
            if n != 1:
                raise click.ClickException("launchevent.js: no serviceUrl default to set")
        (web / name).write_text(_replace_all(text, origin, new_id), encoding="utf-8")
    for icon in sorted((src / "assets").glob("*.png")):
        shutil.copyfile(icon, web / "assets" / icon.name)
    xml = _replace_all((src / "manifest.xml").read_text(encoding="utf-8"), origin, new_id)
    (out / "manifest.xml").write_text(xml, encoding="utf-8")
    manifest = json.loads(_replace_all((src / "manifest.json").read_text(encoding="utf-8"), origin, new_id))
    manifest_text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    (out / "manifest.json").write_text(manifest_text, encoding="utf-8")
    # the app package: the manifest and the two icons it names, at the top of the zip
    with zipfile.ZipFile(out / "sklint-addin.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", manifest_text)
        for key in ("outline", "color"):
            rel = manifest["icons"][key]
            z.write(src / rel, rel)
    (out / "STEPS.md").write_text(STEPS.format(origin=origin, id=new_id, service=service_url),
                                  encoding="utf-8")
    click.echo(f"sklint: wrote the add-in for {origin} (id {new_id}) to {out}/: publish web/, "
               f"upload manifest.xml or sklint-addin.zip; the steps are in {out / 'STEPS.md'}")

