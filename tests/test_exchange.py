"""`sklint exchange drafts` against a stand-in for Exchange.

The stand-in is a real HTTP server on 127.0.0.1 (in a thread) that answers the EWS SOAP calls
exchangelib makes with real EWS response documents (the shapes of Exchange Server 2016's
GetFolder, FindItem, GetItem and UpdateItem responses). exchangelib runs unmodified: autodiscover
off, an explicit service endpoint, the version fixed so nothing is probed, Basic auth over
loopback HTTP. It is a stand-in for Exchange, not Exchange: it keeps a few drafts in memory and
checks only what these calls need. Nothing of sklint is mocked.
"""
from __future__ import annotations

import base64
import http.server
import json
import threading
import xml.etree.ElementTree as ET
from email.message import EmailMessage

import pytest
from click.testing import CliRunner

from sklint.config import Config
from sklint.serve.cli import exchange as exchange_cmd
from sklint.serve.exchange import ExchangeError, check_drafts, endpoint_url, is_exchange_online

NS = {"s": "http://schemas.xmlsoap.org/soap/envelope/",
      "m": "http://schemas.microsoft.com/exchange/services/2006/messages",
      "t": "http://schemas.microsoft.com/exchange/services/2006/types"}
USER, PASSWORD, MAILBOX = "sam@charity.org.uk", "correct horse", "sam@charity.org.uk"
NHS = "943 476 5919"

ENVELOPE = """<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">
  <s:Header>
    <h:ServerVersionInfo MajorVersion="15" MinorVersion="1" MajorBuildNumber="2507" MinorBuildNumber="6"
      Version="V2017_07_11" xmlns:h="http://schemas.microsoft.com/exchange/services/2006/types"
      xmlns="http://schemas.microsoft.com/exchange/services/2006/types"
      xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"/>
  </s:Header>
  <s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
{body}
  </s:Body>
</s:Envelope>"""

FOLDERS = {
    "root": ("AAMkAGRvb3Q=", "Top of Information Store", "IPF.Note", 0, 14),
    "msgfolderroot": ("AAMkAG1zZ3Jvb3Q=", "Top of Information Store", "IPF.Note", 0, 14),
    "drafts": ("AAMkAGRyYWZ0cw==", "Drafts", "IPF.Note", 2, 0),
}


def draft_mime(subject: str, body: str, to: str) -> bytes:
    m = EmailMessage()
    m["From"] = MAILBOX
    m["To"] = to
    m["Subject"] = subject
    m["Date"] = "Fri, 20 Nov 2026 10:00:00 +0000"
    m.set_content(body)
    return m.as_bytes()


class Exchange:
    """The mailbox state and the SOAP handler."""

    def __init__(self):
        self.items = {
            "AAMkAGl0ZW0x": {"ck": "CQAAABYAAAA1", "created": "2026-11-20T10:00:00Z", "categories": [],
                             "mime": draft_mime("Referral", f"Please see NHS number {NHS}.\n",
                                                "duty@council.gov.uk")},
            "AAMkAGl0ZW0y": {"ck": "CQAAABYAAAA2", "created": "2026-11-19T09:00:00Z", "categories": ["Blue"],
                             "mime": draft_mime("Rota", "The office is closed on Friday.\n",
                                                "team@charity.org.uk")},
        }
        self.calls: list[str] = []
        self.auth_ok = True

    def handle(self, body: bytes) -> tuple[int, str]:
        root = ET.fromstring(body)
        op = root.find("s:Body", NS)[0]
        name = op.tag.split("}")[1]
        self.calls.append(name)
        return 200, ENVELOPE.format(body=getattr(self, name.lower())(op))

    def getfolder(self, op) -> str:
        out = []
        for fid in op.find("m:FolderIds", NS):
            key = fid.get("Id")
            fid_, name, cls, total, children = FOLDERS.get(key, FOLDERS["root"])
            out.append(f"""<m:GetFolderResponseMessage ResponseClass="Success">
  <m:ResponseCode>NoError</m:ResponseCode>
  <m:Folders><t:Folder>
    <t:FolderId Id="{fid_}" ChangeKey="AQAAABYAAAA="/>
    <t:ParentFolderId Id="AAMkAGRvb3Q=" ChangeKey="AQAAAA=="/>
    <t:FolderClass>{cls}</t:FolderClass>
    <t:DisplayName>{name}</t:DisplayName>
    <t:TotalCount>{total}</t:TotalCount>
    <t:ChildFolderCount>{children}</t:ChildFolderCount>
    <t:EffectiveRights><t:CreateAssociated>true</t:CreateAssociated><t:CreateContents>true</t:CreateContents>
      <t:CreateHierarchy>true</t:CreateHierarchy><t:Delete>true</t:Delete><t:Modify>true</t:Modify>
      <t:Read>true</t:Read><t:ViewPrivateItems>true</t:ViewPrivateItems></t:EffectiveRights>
    <t:UnreadCount>0</t:UnreadCount>
  </t:Folder></m:Folders>
</m:GetFolderResponseMessage>""")
        return self._wrap("GetFolder", out)

    def finditem(self, op) -> str:
        items = sorted(self.items.items(), key=lambda kv: kv[1]["created"], reverse=True)
        page = op.find("m:IndexedPageItemView", NS)
        limit = int(page.get("MaxEntriesReturned", "100")) if page is not None else 100
        xs = "".join(f'<t:Message><t:ItemId Id="{i}" ChangeKey="{d["ck"]}"/></t:Message>'
                     for i, d in items[:limit])
        return self._wrap("FindItem", [f"""<m:FindItemResponseMessage ResponseClass="Success">
  <m:ResponseCode>NoError</m:ResponseCode>
  <m:RootFolder IndexedPagingOffset="{min(limit, len(items))}" TotalItemsInView="{len(items)}"
    IncludesLastItemInRange="true"><t:Items>{xs}</t:Items></m:RootFolder>
</m:FindItemResponseMessage>"""])

    def getitem(self, op) -> str:
        out = []
        for iid in op.find("m:ItemIds", NS):
            d = self.items[iid.get("Id")]
            cats = "".join(f"<t:String>{c}</t:String>" for c in d["categories"])
            out.append(f"""<m:GetItemResponseMessage ResponseClass="Success">
  <m:ResponseCode>NoError</m:ResponseCode>
  <m:Items><t:Message>
    <t:MimeContent CharacterSet="UTF-8">{base64.b64encode(d["mime"]).decode()}</t:MimeContent>
    <t:ItemId Id="{iid.get('Id')}" ChangeKey="{d['ck']}"/>
    {"<t:Categories>" + cats + "</t:Categories>" if cats else ""}
    <t:DateTimeCreated>{d["created"]}</t:DateTimeCreated>
  </t:Message></m:Items>
</m:GetItemResponseMessage>""")
        return self._wrap("GetItem", out)

    def updateitem(self, op) -> str:
        out = []
        for change in op.find("m:ItemChanges", NS):
            iid = change.find("t:ItemId", NS).get("Id")
            d = self.items[iid]
            cats = change.find(".//t:SetItemField/t:Message/t:Categories", NS)
            if cats is not None:
                d["categories"] = [s.text for s in cats]
            d["ck"] = d["ck"][:-1] + "9"
            out.append(f"""<m:UpdateItemResponseMessage ResponseClass="Success">
  <m:ResponseCode>NoError</m:ResponseCode>
  <m:Items><t:Message><t:ItemId Id="{iid}" ChangeKey="{d['ck']}"/></t:Message></m:Items>
  <m:ConflictResults><t:Count>0</t:Count></m:ConflictResults>
</m:UpdateItemResponseMessage>""")
        return self._wrap("UpdateItem", out)

    @staticmethod
    def _wrap(op: str, messages: list[str]) -> str:
        return (f'<m:{op}Response xmlns:m="{NS["m"]}" xmlns:t="{NS["t"]}"><m:ResponseMessages>'
                + "".join(messages) + f"</m:ResponseMessages></m:{op}Response>")


@pytest.fixture
def ews():
    state = Exchange()
    expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.path != "/EWS/Exchange.asmx":
                return self._send(404, "text/plain", b"not found")
            if self.headers.get("Authorization") != expected:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="mail.charity.org.uk"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status, xml = state.handle(body)
            self._send(status, "text/xml; charset=utf-8", xml.encode("utf-8"))

        def _send(self, status, ctype, data):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    state.url = f"http://127.0.0.1:{srv.server_address[1]}/EWS/Exchange.asmx"
    yield state
    srv.shutdown()
    srv.server_close()


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    for k in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")


def test_drafts_checked(ews):
    results = check_drafts(Config(), server=ews.url, user=USER, password=PASSWORD, auth_type="basic")
    assert len(results) == 2
    first, second = results
    assert first.path.startswith("Drafts/001") and "Referral" not in first.path  # never the subject
    assert first.kind == "email" and first.error is None
    assert "SK105" in {f.code for f in first.findings}
    assert not [f for f in second.findings if f.severity == "error"]
    assert ews.calls[:2] == ["GetFolder", "GetFolder"]
    assert "FindItem" in ews.calls and "GetItem" in ews.calls
    assert "UpdateItem" not in ews.calls


def test_tag_sets_category(ews):
    check_drafts(Config(), server=ews.url, user=USER, password=PASSWORD, auth_type="basic",
                 tag="sklint checked")
    assert ews.items["AAMkAGl0ZW0x"]["categories"] == ["sklint checked"]
    assert ews.items["AAMkAGl0ZW0y"]["categories"] == ["Blue", "sklint checked"]
    assert ews.calls.count("UpdateItem") == 2


def test_limit(ews):
    results = check_drafts(Config(), server=ews.url, user=USER, password=PASSWORD, auth_type="basic", limit=1)
    assert len(results) == 1


def test_wrong_password(ews):
    with pytest.raises(ExchangeError, match="refused the credentials"):
        check_drafts(Config(), server=ews.url, user=USER, password="wrong", auth_type="basic")


def test_cli_prints_report(ews, monkeypatch):
    monkeypatch.setenv("SKLINT_EWS_PASSWORD", PASSWORD)
    r = CliRunner().invoke(exchange_cmd, ["drafts", "--server", ews.url, "--user", USER, "--auth", "basic",
                                          "--format", "json"])
    assert r.exit_code == 1, r.output  # findings at the failing severity
    report = json.loads(r.output)
    assert report["summary"]["files"] == 2
    assert NHS not in r.output  # redacted
    r = CliRunner().invoke(exchange_cmd, ["drafts", "--server", ews.url, "--user", USER, "--auth", "basic"])
    assert "SK105 nhs-number" in r.output and "2 draft(s) checked" in r.output


def test_password_prompted(ews, monkeypatch):
    monkeypatch.delenv("SKLINT_EWS_PASSWORD", raising=False)
    r = CliRunner().invoke(exchange_cmd, ["drafts", "--server", ews.url, "--user", USER, "--auth", "basic",
                                          "--format", "json"], input=PASSWORD + "\n")
    assert r.exit_code == 1
    assert PASSWORD not in r.output


def test_exchange_online_refused():
    assert is_exchange_online("https://outlook.office365.com/EWS/Exchange.asmx")
    assert not is_exchange_online(endpoint_url("mail.charity.org.uk"))
    assert endpoint_url("mail.charity.org.uk") == "https://mail.charity.org.uk/EWS/Exchange.asmx"
    with pytest.raises(ExchangeError, match="1 October 2026"):
        check_drafts(Config(), server="outlook.office365.com", user=USER, password="x")
