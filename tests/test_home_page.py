"""The site's home page decides source type: read once per host, kept in the DB across crawls.

The pages here are hand-written in the shape of real home pages; the crawl runs through a real
HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from storycrawl.classify.home_page import home_page_type, read_home_page
from storycrawl.db import StoryDB
from storycrawl.pipelines.source_type import home_page_url
from tests.utils import ROOT, LoopbackServer, Reply

COMPANY_HOME = """<html><head><title>Tallyloop — invoices that read themselves</title>
<script type="application/ld+json">{"@type": "Organization", "name": "Tallyloop"}</script></head>
<body><nav><a href="/product">Product</a> <a href="/pricing">Pricing</a> <a href="/docs/">Docs</a>
<a href="/careers">Careers</a> <a href="https://app.tallyloop.example/login">Log in</a>
<a href="/demo">Request a demo</a></nav><footer>© 2026 Tallyloop GmbH</footer></body></html>"""

PERSON_HOME = """<html><head><title>Mara Quint</title><link rel="me" href="https://hachyderm.io/@mara">
</head><body><p>Hi, I'm Mara. I build retrieval systems and write about the ones that broke.</p>
<a href="/posts/">Posts</a> <a href="/cv.pdf">CV</a></body></html>"""

ARTICLE = """<html><head><title>{title}</title><meta name="author" content="{author}"></head>
<body><article><h1>{title}</h1>{body}</article></body></html>"""
I_STORY = (
    "<p>I rebuilt our retrieval evals this spring. I wrote the judge prompts and I measured recall "
    "before and after every change to the chunker; I shipped it in May and the wrong answers halved.</p>"
) * 6


def test_a_company_home_page():
    signals = read_home_page(COMPANY_HOME, "https://tallyloop.example/")
    assert {
        "product",
        "pricing",
        "docs",
        "careers",
        "sign_in",
        "demo",
        "legal_line",
        "json_ld",
    } <= set(signals.organisation)
    decision = home_page_type(signals, "tallyloop.example")
    assert decision.value == "company" and "pricing" in decision.evidence


def test_a_person_home_page():
    signals = read_home_page(PERSON_HOME, "https://quietbyte.example/")
    assert {"rel_me", "introduction", "cv", "name_title"} <= set(signals.person)
    assert home_page_type(signals, "quietbyte.example").value == "personal"


def test_a_home_page_that_says_little_decides_nothing():
    signals = read_home_page(
        "<html><body><a href='/posts/'>Posts</a></body></html>", "https://x.example/"
    )
    assert home_page_type(signals, "x.example") is None
    mixed = read_home_page(COMPANY_HOME + PERSON_HOME, "https://tallyloop.example/")
    assert home_page_type(mixed, "tallyloop.example") is None or mixed.person == {}


def test_a_blog_subdomain_is_judged_by_its_organisation_home_page():
    assert home_page_url("https://blog.tallyloop.example/p/x") == "https://tallyloop.example/"
    assert home_page_url("https://engineering.acme.co.uk/x") == "https://acme.co.uk/"
    assert home_page_url("http://127.0.0.1:8080/a") == "http://127.0.0.1:8080/"
    assert home_page_url("https://quietbyte.example/posts/x") == "https://quietbyte.example/"


def scrapy(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORYCRAWL_")}
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args], check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )  # fmt: skip


def html(text: str) -> Reply:
    return Reply(200, {"Content-Type": "text/html; charset=utf-8"}, text.encode())


def home_fetches(server: LoopbackServer) -> int:
    return sum(1 for entry in server.log if entry["path"] == "/")


def crawl(url_file, db_path) -> dict:
    result = scrapy(
        "crawl", "urls", "-a", f"file={url_file}", "-s", f"STORYCRAWL_DB={db_path}",
        "-s", "AUTOTHROTTLE_ENABLED=False",
        # The loopback server plays a public site: its home page is asked for at the canonical
        # https origin first (then http), which the private-network guard allows only when named.
        "-s", "STORYCRAWL_ALLOW_PRIVATE_HOSTS=127.0.0.1",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    db = StoryDB(db_path)
    stories = {s["url"].rsplit("/", 1)[-1]: s for s in db.iter_stories()}
    (run,) = [r for r in db.runs.rows if r["finished_at"]][-1:]
    db.close()
    return {"stories": stories, "stats": json.loads(run["stats"])}


def test_the_home_page_is_fetched_once_per_host_and_kept_across_crawls(tmp_path):
    """Two posts in an engineer's "I" on a product's site: the home page (pricing, docs, careers)
    makes both company; it is fetched once, and the second crawl reads it from the DB."""
    article = ARTICLE.format(
        title="What I learned tuning our retrieval evals", author="Mara Quint", body=I_STORY
    )
    routes = {
        "/": html(COMPANY_HOME),
        "/notes/retrieval-evals": html(article),
        "/notes/judge-prompts": html(
            article.replace("tuning our retrieval evals", "writing judge prompts")
        ),
        "/notes/chunking": html(article.replace("tuning our retrieval evals", "chunking")),
    }
    with LoopbackServer(routes) as server:
        url_file = tmp_path / "urls.txt"
        url_file.write_text(
            f"{server.url}/notes/retrieval-evals\n{server.url}/notes/judge-prompts\n"
        )
        first = crawl(url_file, tmp_path / "db.sqlite")
        homes_first = home_fetches(server)
        # The next crawl reaches a new post of the same host.
        url_file.write_text(f"{server.url}/notes/chunking\n")
        second = crawl(url_file, tmp_path / "db.sqlite")
        homes_second = home_fetches(server) - homes_first
    assert homes_first == 1, "one home-page fetch for the host, shared by both posts"
    assert homes_second == 0, "the second crawl reads the host profile from the DB"
    for name in ("retrieval-evals", "judge-prompts"):
        story = first["stories"][name]
        assert story["source_type"] == "company", story["source_type_evidence"]
        assert (
            "home page" in story["source_type_evidence"]
            and "pricing" in story["source_type_evidence"]
        )
    assert first["stats"]["storycrawl/source_type/home_page/decided"] == 1
    assert second["stats"]["storycrawl/source_type/home_page/cached"] == 1
    later = second["stories"]["chunking"]
    assert later["source_type"] == "company" and "home page" in later["source_type_evidence"]
    db = StoryDB(tmp_path / "db.sqlite")
    (profile,) = list(db.db.table("host_profiles").rows)
    db.close()
    assert (profile["host"], profile["status"], profile["source_type"]) == (
        "127.0.0.1",
        "decided",
        "company",
    )
    assert "pricing" in json.loads(profile["signals"])["organisation"]


def test_a_home_page_robots_txt_disallows_falls_back_to_url_and_text(tmp_path):
    article = ARTICLE.format(
        title="My homelab agent",
        author="Mara Quint",
        body=I_STORY + "<p>It runs in my homelab.</p>",
    )
    routes = {
        "/robots.txt": Reply(200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /$\n"),
        "/": html(COMPANY_HOME),
        "/posts/homelab-agent": html(article),
    }
    with LoopbackServer(routes) as server:
        url_file = tmp_path / "urls.txt"
        url_file.write_text(f"{server.url}/posts/homelab-agent\n")
        result = crawl(url_file, tmp_path / "db.sqlite")
        assert home_fetches(server) == 0, "robots.txt is obeyed for home pages too"
    story = result["stories"]["homelab-agent"]
    assert story["source_type"] == "personal", story["source_type_evidence"]
    assert "home page" not in story["source_type_evidence"]
    assert result["stats"]["storycrawl/source_type/home_page/unavailable"] == 1
