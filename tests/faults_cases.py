"""The fault matrix's cases for one crawl: each is a Hacker News post linking to a misbehaving page.

`link_cases(server, canary)` returns the cases, each with its routes on the fault server, the HN
hit that links to it, and what must become of it: a story, or a rejection whose reason and
evidence say what happened. The test module serves them all from one Algolia page, so one crawl
plays every case. Every address a case links to is on 127.0.0.1 (or a literal form of it, or
`[::1]`, or a `.invalid` name that never resolves): a guard that failed would still send nothing
off this machine.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from email.utils import formatdate

from tests.fault_server import HTML, JSON, TEXT, Fault, closed_ports, gzip_bomb, redirect, reply

PARAGRAPH = (
    "<p>Last quarter I rebuilt the retrieval step of our support agent. We were seeing wrong answers "
    "on about one ticket in ten, so I wrote an eval set of 300 real questions, added a reranker and "
    "cut the chunk size; the agent's tool calls now fail half as often and our token bill fell by a "
    "third. Here is what we measured and what I would do differently next time.</p>"
)


def article(title: str, body: str = PARAGRAPH * 4, head: str = "") -> str:
    return (
        f"<html><head><title>{title}</title>{head}"
        '<meta property="article:published_time" content="2026-10-01T09:00:00+00:00"></head>'
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    )


OK = article("How we rebuilt our agent's retrieval").encode()


@dataclass
class Case:
    name: str
    expect: str  # "story", or the rejection reason ("fetch_failed", "invalid"...)
    evidence: str = ""  # a part of the rejection's evidence (lower case), or of the stored title
    routes: dict[str, Fault | list[Fault]] = field(default_factory=dict)
    link: str = ""  # where the HN post links; default: the case's own page
    title: str = ""
    story_text: str | None = None  # a text post (no link)
    canary: bool = False  # the canary server must see no request
    allow: str = ""  # a host:port the test allows past the private-network guard
    known_defect: str = ""  # a defect still open: checked by its own strict xfail test, named here

    def path(self) -> str:
        return f"/case/{self.name}"


def link_cases(base: str, canary: str) -> list[Case]:
    closed, other_closed = closed_ports(2)
    port = base.rsplit(":", 1)[1]
    soon = formatdate(timeval=None, usegmt=True)  # an HTTP date: "now", i.e. retry at once
    big = b"<html><body><p>" + b"x" * (3 * 1024 * 1024) + b"</p></body></html>"
    latin1 = article("Caf\xe9 na\xefve: our RAG r\xe9sum\xe9 pipeline").replace(
        "<head>", '<head><meta charset="iso-8859-1">'
    )
    cp1252 = article("\u201cSmart quotes\u201d in our eval harness \u2014 a note")
    sjis = article("評価ハーネスの話 (evals)")
    cases = [
        # What a page can answer.
        Case("ok", "story", routes={"/case/ok": reply(200, OK)}),
        Case("http_404", "fetch_failed", "http 404", {"/case/http_404": reply(404, "gone")}),
        Case("http_410", "fetch_failed", "http 410", {"/case/http_410": reply(410, "gone")}),
        Case("http_401", "fetch_failed", "http 401", {"/case/http_401": reply(401, "who")}),
        Case("http_403", "fetch_failed", "http 403", {"/case/http_403": reply(403, "no")}),
        Case("http_451", "fetch_failed", "http 451", {"/case/http_451": reply(451, "legal")}),
        Case("http_999", "fetch_failed", "http 999", {"/case/http_999": reply(999, "odd")}),
        Case("http_500_always", "fetch_failed", "http 500", {"/case/http_500_always": reply(500)}),
        Case(
            "http_500_then_ok",
            "story",
            routes={"/case/http_500_then_ok": [reply(500), reply(200, OK)]},
        ),
        Case(
            "http_502_then_ok",
            "story",
            routes={"/case/http_502_then_ok": [reply(502), reply(200, OK)]},
        ),
        Case(
            "http_503_retry_after_seconds",
            "story",
            routes={
                "/case/http_503_retry_after_seconds": [
                    reply(503, headers={"Retry-After": "1"}),
                    reply(200, OK),
                ]
            },
        ),
        Case(
            "http_429_retry_after_date",
            "story",
            routes={
                "/case/http_429_retry_after_date": [
                    reply(429, headers={"Retry-After": soon}),
                    reply(200, OK),
                ]
            },
        ),
        Case(
            "http_429_retry_after_garbage",
            "story",
            routes={
                "/case/http_429_retry_after_garbage": [
                    reply(429, headers={"Retry-After": "soon"}),
                    reply(200, OK),
                ]
            },
        ),
        Case(
            "http_429_no_header",
            "story",
            routes={"/case/http_429_no_header": [reply(429), reply(200, OK)]},
        ),
        Case(
            "http_429_retry_after_too_long",
            "fetch_failed",
            "retry_after_max",
            {
                "/case/http_429_retry_after_too_long": [
                    reply(429, headers={"Retry-After": "3600"}),
                    reply(200, OK),
                ]
            },
        ),
        Case(
            "http_503_retry_after_too_long",
            "fetch_failed",
            "asks to wait",
            {"/case/http_503_retry_after_too_long": reply(503, headers={"Retry-After": "86400"})},
        ),
        # Connections that fail.
        Case(
            "reset_then_ok",
            "story",
            routes={"/case/reset_then_ok": [Fault(action="reset"), reply(200, OK)]},
        ),
        Case(
            "reset_always",
            "fetch_failed",
            "connection",
            {"/case/reset_always": Fault(action="reset")},
        ),
        Case(
            "truncated_then_ok",
            "story",
            routes={
                "/case/truncated_then_ok": [
                    Fault(200, HTML, OK[:200], action="truncate"),
                    reply(200, OK),
                ]
            },
        ),
        Case(
            "truncated_always",
            "fetch_failed",
            "cut short",
            {"/case/truncated_always": Fault(200, HTML, OK[:200], action="truncate")},
        ),
        Case(
            "timeout_then_ok",
            "story",
            routes={"/case/timeout_then_ok": [Fault(action="hang", delay=2.5), reply(200, OK)]},
        ),
        Case(
            "timeout_always",
            "fetch_failed",
            "timed out",
            {"/case/timeout_always": Fault(action="hang", delay=2.5)},
        ),
        Case(
            "connection_refused",
            "fetch_failed",
            "connection refused",
            link=f"http://127.0.0.1:{closed}/post",
            allow=f"127.0.0.1:{closed}",
        ),
        Case(
            "dns_failure",
            "fetch_failed",
            "dns lookup failed",
            link="http://no-such-host.invalid/post",
        ),
        # Redirects.
        Case(
            "redirect_ok",
            "story",
            routes={
                "/case/redirect_ok": redirect("/case/redirect_ok/final"),
                "/case/redirect_ok/final": reply(200, OK),
            },
        ),
        Case(
            "redirect_chain",
            "story",
            routes={
                **{
                    f"/case/redirect_chain/{i}": redirect(f"/case/redirect_chain/{i + 1}", 301)
                    for i in range(4)
                },
                "/case/redirect_chain": redirect("/case/redirect_chain/0"),
                "/case/redirect_chain/4": reply(200, OK),
            },
        ),
        Case(
            "redirect_loop",
            "fetch_failed",
            "redirect",
            {
                "/case/redirect_loop": redirect("/case/redirect_loop/b"),
                "/case/redirect_loop/b": redirect("/case/redirect_loop"),
            },
        ),
        Case(
            "redirect_self",
            "fetch_failed",
            "redirect",
            {"/case/redirect_self": redirect("/case/redirect_self")},
        ),
        Case(
            "redirect_no_location",
            "fetch_failed",
            "http 302",
            {"/case/redirect_no_location": Fault(302, TEXT, b"moved, somewhere")},
        ),
        Case(
            "redirect_to_canary",
            "fetch_failed",
            "loopback",
            {"/case/redirect_to_canary": redirect(f"{canary}/redirected")},
            canary=True,
        ),
        Case(
            "redirect_to_file",
            "fetch_failed",
            "",
            {"/case/redirect_to_file": redirect("file:///etc/passwd")},
        ),
        # Links a stranger's post may carry: never fetched (SSRF).
        Case("link_to_canary", "fetch_failed", "loopback", link=f"{canary}/admin", canary=True),
        Case(
            "link_to_localhost",
            "fetch_failed",
            "loopback",
            link=f"http://localhost:{canary.rsplit(':', 1)[1]}/x",
            canary=True,
        ),
        Case(
            "link_decimal_ip",
            "fetch_failed",
            "loopback",
            link=f"http://2130706433:{canary.rsplit(':', 1)[1]}/x",
            canary=True,
        ),
        Case("link_ipv6_loopback", "fetch_failed", "loopback", link=f"http://[::1]:{closed}/x"),
        Case(
            "link_mapped_ipv6",
            "fetch_failed",
            "loopback",
            link=f"http://[::ffff:127.0.0.1]:{closed}/x",
        ),
        Case("link_file", "invalid", "scheme 'file'", link="file:///etc/passwd"),
        Case("link_ftp", "invalid", "scheme 'ftp'", link="ftp://127.0.0.1/pub/file.txt"),
        Case(
            "link_same_host_other_port",
            "fetch_failed",
            "loopback",
            link=f"http://127.0.0.1:{other_closed}/private",
        ),
        # Bodies.
        Case(
            "not_html_pdf",
            "fetch_failed",
            "",
            {
                "/case/not_html_pdf": reply(
                    200, b"%PDF-1.7 ...", {"Content-Type": "application/pdf"}
                )
            },
        ),
        Case(
            "not_html_image",
            "fetch_failed",
            "",
            {
                "/case/not_html_image": reply(
                    200, b"\x89PNG\r\n\x1a\n", {"Content-Type": "image/png"}
                )
            },
        ),
        Case(
            "json_as_html",
            "fetch_failed",
            "",
            {"/case/json_as_html": reply(200, b'{"a": 1}', HTML)},
        ),
        Case("empty_body", "fetch_failed", "", {"/case/empty_body": reply(200, b"")}),
        Case(
            "binary_garbage",
            "fetch_failed",
            "",
            {"/case/binary_garbage": reply(200, bytes(range(256)) * 40)},
        ),
        Case(
            "needs_javascript",
            "fetch_failed",
            "javascript",
            {
                "/case/needs_javascript": reply(
                    200,
                    "<html><body><noscript>You need to enable JavaScript to run this app.</noscript>"
                    "<div id=root></div></body></html>",
                )
            },
        ),
        Case(
            "too_big_declared",
            "fetch_failed",
            "download_maxsize",
            {"/case/too_big_declared": reply(200, big)},
        ),
        Case(
            "too_big_undeclared",
            "fetch_failed",
            "download_maxsize",
            {"/case/too_big_undeclared": Fault(200, HTML, big, content_length=False)},
        ),
        Case("gzip_bomb", "fetch_failed", "download_maxsize", {"/case/gzip_bomb": gzip_bomb(64)}),
        Case(
            "gzip_ok",
            "story",
            routes={
                "/case/gzip_ok": Fault(200, {**HTML, "Content-Encoding": "gzip"}, gzip.compress(OK))
            },
        ),
        Case(
            "gzip_corrupt",
            "fetch_failed",
            "",
            {
                "/case/gzip_corrupt": Fault(
                    200, {**HTML, "Content-Encoding": "gzip"}, b"\x1f\x8b\x08\x00broken"
                )
            },
        ),
        Case(
            "encoding_latin1_meta",
            "story",
            "café naïve",
            {
                "/case/encoding_latin1_meta": reply(
                    200, latin1.encode("iso-8859-1"), {"Content-Type": "text/html"}
                )
            },
        ),
        Case(
            "encoding_cp1252_header",
            "story",
            "“smart quotes”",
            {
                "/case/encoding_cp1252_header": reply(
                    200,
                    cp1252.encode("cp1252"),
                    {"Content-Type": "text/html; charset=windows-1252"},
                )
            },
        ),
        Case(
            "encoding_shift_jis",
            "story",
            "評価ハーネス",
            {
                "/case/encoding_shift_jis": reply(
                    200, sjis.encode("shift_jis"), {"Content-Type": "text/html; charset=Shift_JIS"}
                )
            },
        ),
        Case(
            "encoding_utf16_bom",
            "story",
            "utf-16",
            {
                "/case/encoding_utf16_bom": reply(
                    200,
                    article("Our UTF-16 page")
                    .replace("UTF-16 page", "UTF-16 page (utf-16)")
                    .encode("utf-16"),
                    {"Content-Type": "text/html"},
                )
            },
        ),
        Case(
            "malformed_html",
            "story",
            routes={
                "/case/malformed_html": reply(
                    200, OK.replace(b"</p>", b"").replace(b"</article>", b"<div><span>")
                )
            },
        ),
        Case(
            "control_chars",
            "story",
            routes={
                "/case/control_chars": reply(
                    200, article("Nul\x00 and \x1b[31mANSI\x1b[0m in a title").encode()
                )
            },
        ),
        Case(
            "huge_title",
            "story",
            routes={"/case/huge_title": reply(200, article("agent " * 50_000).encode())},
        ),
        Case(
            "robots_forbidden",
            "fetch_failed",
            "robots.txt",
            {"/private/robots_forbidden": reply(200, OK)},
            link=f"{base}/private/robots_forbidden",
        ),
        # Other helpers' defects (issue #14 items 1, 2, 5): bad dates, malformed links, formula titles.
        Case(
            "date_impossible",
            "story",
            known_defect="formats: an article dated 2026-02-30 is stored as published 2026-02-01 "
            "(then out_of_range) instead of falling back to the post's date",
            routes={
                "/case/date_impossible": reply(
                    200, OK.replace(b"2026-10-01T09:00:00+00:00", b"2026-02-30T09:00:00+00:00")
                )
            },
        ),
        Case(
            "date_zero",
            "story",
            routes={
                "/case/date_zero": reply(
                    200, OK.replace(b"2026-10-01T09:00:00+00:00", b"0000-00-00")
                )
            },
        ),
        Case(
            "date_far_future",
            "story",
            routes={
                "/case/date_far_future": reply(
                    200, OK.replace(b"2026-10-01T09:00:00+00:00", b"9999-12-31T23:59:59-05:00")
                )
            },
        ),
        Case("link_bad_port", "invalid", "", link="http://127.0.0.1:99999/x"),
        Case("link_bad_ipv6", "invalid", "", link="http://[::1/x"),
        Case("link_javascript", "invalid", "", link="javascript:alert(1)"),
        Case(
            "formula_title",
            "story",
            "=hyperlink",
            routes={
                "/case/formula_title": reply(
                    200, article('=HYPERLINK("http://evil.example","click")').encode()
                )
            },
        ),
        # Posts.
        Case("text_post", "story", story_text=PARAGRAPH * 3),
        Case(
            "text_post_huge_title",
            "story",
            title="evals " * 60_000,
            story_text=PARAGRAPH.replace("support agent", "billing agent") * 3,
        ),
        Case("text_post_empty", "too_short", "0 characters", story_text=" "),
    ]
    assert len({c.name for c in cases}) == len(cases)
    assert port  # the cases that link back to the fault server use its origin
    return cases


def api_faults() -> dict[str, list[Fault]]:
    """The Algolia API itself misbehaving before it answers (query → faults before the page)."""
    return {
        "evals": [reply(500, "oops", TEXT)],  # retried, then the page
        "agents": [reply(200, "<html>gateway error</html>", HTML)],  # not JSON: said, not crashed
        "rag": [Fault(action="reset")] * 10,  # never reachable
    }


def hit(case: Case, number: int, base: str) -> dict:
    link = None if case.story_text is not None else (case.link or f"{base}{case.path()}")
    return {
        "objectID": str(90_000 + number),
        "title": case.title or f"Case {case.name}",
        "url": link,
        "author": "faults",
        "points": 5,
        "num_comments": 1,
        "story_text": case.story_text,
        "created_at": "2026-10-02T10:00:00.000Z",
        "created_at_i": 1790935200 + number,
        "_tags": ["story", "author_faults", f"story_{90_000 + number}"],
    }


def algolia_page(cases: list[Case], base: str) -> bytes:
    import json

    hits = [hit(case, number, base) for number, case in enumerate(cases)]
    return json.dumps({"hits": hits, "nbHits": len(hits), "page": 0, "nbPages": 1}).encode()


__all__ = ["HTML", "JSON", "TEXT", "Case", "algolia_page", "api_faults", "link_cases"]
