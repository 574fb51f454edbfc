"""Source type: social, personal or company (labels.md), with the evidence for it.

Decided from the site: the source's declaration, known platforms, the host's name, the page's
publisher and site name, and last the page's voice.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from storycrawl import registry
from storycrawl.classify.base import Document
from storycrawl.classify.rules import Decision, hosts, job_host
from storycrawl.urls import host_matches, host_of

NAMES_FILE = Path(__file__).with_name("first_names.txt")

_COMPANY_HOST = re.compile(
    r"^(?:engineering|eng|tech|blog\.engineering|developers?|labs?|research|ai|careers)\.",
    re.IGNORECASE,
)
_COMPANY_PATH = re.compile(
    r"/(?:engineering|eng-blog|engineering-blog|tech-blog|techblog|customers|case-stud(?:y|ies)|company|newsroom|press|(?:[a-z]+-)?news|resources|learn|academy|courses?"
    r"|solutions|services|products?|insights|use-cases|how-it-works|guest-(?:articles|posts))(?:/|$)",
    re.IGNORECASE,
)
_WE_COMPANY = re.compile(
    r"\b(?:our (?:team|engineering team|customers|platform|product|company|users)|at [A-Z][\w&.-]+,? we\b|we at [A-Z])",
    re.IGNORECASE,
)


def _split_name(name: str | None) -> list[str]:
    return [part for part in re.findall(r"[a-z]+", (name or "").lower()) if len(part) > 2]


def source_type(doc: Document) -> Decision:
    """social / personal / company from the host, the spider's hints and the page (labels.md)."""
    declared = doc.hints.get("source_type")
    if declared in ("social", "personal", "company"):
        return Decision(
            declared, 0.97, doc.hints.get("source_type_reason", "declared by the source")
        )

    h = hosts()
    host = host_of(doc.url)
    path = urlsplit(doc.url).path or "/"
    place = host + path
    if job_host(doc.url):
        return Decision("company", 0.95, f"job board {host}")
    if host_matches(host, h.social):
        if any(place.startswith(p) for p in h.social_personal_paths):
            return Decision("personal", 0.85, f"long-form article on {host}")
        return Decision("social", 0.97, f"social platform {host}")
    if doc.source in registry.social_sources() and doc.hints.get("post_type") == "text":
        return Decision("social", 0.95, f"text post on {doc.source}")
    if _FEDIVERSE_POST.match(path):
        return Decision("social", 0.9, f"a Mastodon-style post on {host}")
    if _FORUM_HOST.search(host) or _FORUM_TOPIC.match(path):
        return Decision("social", 0.85, f"a forum thread on {host}")
    if match := _SOCIAL_TITLE.match(doc.title or ""):
        return Decision("social", 0.85, f"the title says it is a post: {match.group(0)!r}")

    publisher = doc.hints.get("publisher_type", "")
    if host_matches(host, h.platforms):
        return _platform_type(doc, host, path)
    if _SUBSTACK_POST.match(path) or "substack" in doc.hints.get("generator", "").lower():
        # A Substack newsletter on its own domain (posts live at /p/<slug>).
        return _platform_type(doc, "substack.com", path)
    if _COMPANY_HOST.match(host) and not host.endswith(tuple(h.platforms)):
        return Decision("company", 0.85, f"company subdomain {host}")
    author_parts = _split_name(doc.author or doc.hints.get("author"))
    label = _site_label(host)
    if author_parts and any(part in label for part in author_parts):
        return Decision("personal", 0.85, f"author's name in the domain {host}")
    if "Person" in publisher and "Organization" not in publisher:
        return Decision("personal", 0.8, "page publisher is a person")
    site_name = doc.hints.get("site_name") or ""
    if site_name and author_parts and any(part in site_name.lower() for part in author_parts):
        return Decision("personal", 0.8, f"site named after its author ({site_name})")
    if _COMPANY_PATH.search(path):
        return Decision("company", 0.75, f"company section {path}")
    name, exact = _first_name_in(label)
    if name and exact:
        return Decision("personal", 0.8, f"a person's own domain ({host})")
    if _BRAND.search(label) or host.rsplit(".", 1)[-1] in BRAND_TLDS:
        return Decision("company", 0.7, f"an organisation's domain ({host})")
    if name:
        return Decision("personal", 0.7, f"a person's own domain ({host}, '{name}…')")
    sample = doc.text[:20000]
    we_company = len(_WE_COMPANY.findall(sample))
    singular = len(re.findall(r"\b(?:I|I'm|I've|my)\b", sample))
    plural = len(re.findall(r"\b(?:we|our|us)\b", sample, re.IGNORECASE))
    if singular == 0 and plural == 0:
        return Decision("company", 0.65, "nobody's own voice: an organisation's page")
    introduces = _SELF_INTRODUCTION.search(sample)
    if singular >= 3 and (singular >= plural or introduces):
        why = (
            f"the author introduces themselves ('{introduces.group(0)}')"
            if introduces
            else "an individual's voice"
        )
        return Decision("personal", 0.65, f"{why} on {host}")
    if we_company >= 2 and we_company * 3 >= singular:
        return Decision("company", 0.65, "written as an organisation ('our team', 'our customers')")
    # Blog engines (Ghost, WordPress, Substack) name the site itself as the publishing
    # Organization even on one person's blog: a weak sign, used last.
    if "Organization" in publisher or "Corporation" in publisher:
        return Decision("company", 0.6, "page publisher is an organisation")
    return Decision("personal", 0.6, f"an individual's site ({host})")


# An author speaking for themselves: "I'm the only AI engineer at...", "I do the AI parts".
_SELF_INTRODUCTION = re.compile(
    r"\bI(?:'m| am) (?:the|a|an) \w+|\bI (?:do|work|run|lead|joined|write)\b"
)
# Community forums (Discourse and the like): members' threads, whoever runs the server.
_FORUM_HOST = re.compile(
    r"^(?:[\w-]*communit(?:y|ies)|forums?|discuss|discourse|talk)\.", re.IGNORECASE
)
_FORUM_TOPIC = re.compile(r"^/t/[\w%-]+/\d+/?$")  # Discourse: /t/<slug>/<topic id>
# Titles aggregators and archives give members' posts and comments.
_SOCIAL_TITLE = re.compile(
    r"^(?:(?:a )?(?:hacker news|hn|reddit|lobsters|mastodon|bluesky) (?:comment|post|thread)\b"
    r"|(?:ask|show|tell) hn:|(?:post|thread|comment) by @)",
    re.IGNORECASE,
)
_SUBSTACK_POST = re.compile(r"^/p/[\w-]+/?$")
# /@user/123456789012345678: a post on a Mastodon server (any host: the fediverse has thousands).
_FEDIVERSE_POST = re.compile(r"^/@[\w.]+(?:@[\w.-]+)?/\d{6,}/?$")

# Words organisations put in their domains; top-level domains that mostly host products.
_BRAND = re.compile(
    r"(?:labs?|hq|inc|corp|group|systems|software|solutions|consulting|digital|tech|technolog(?:y|ies)|data|"
    r"analytics|automation|agency|partners|practice|tools|cloud|stack|forge|works|"
    r"ventures|studio|academy|school|institute|news|daily|journal|post|wire|times|media|jobs|careers|hire|talent)"
    r"(?:$|[.-])",
    re.IGNORECASE,
)
BRAND_TLDS = frozenset(
    {"ai", "io", "app", "cloud", "tech", "co", "inc", "company", "institute", "school", "agency"}
)


@cache
def first_names() -> frozenset[str]:
    lines = NAMES_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _site_label(host: str) -> str:
    """The part of a host that names the site: 'janedoe' for blog.janedoe.dev."""
    parts = host.split(".")
    if len(parts) > 2 and parts[0] in ("www", "blog", "blogs", "notes", "writing", "home"):
        parts = parts[1:]
    return ".".join(parts[:-1]) if len(parts) > 1 else host


def _first_name_in(label: str) -> tuple[str | None, bool]:
    """A first name the site's name is or starts with, and whether it stands alone.

    'jane' or 'jane-doe' stand alone; 'janedoe' starts with one (a weaker sign: 'coralsight'
    starts with 'cora' too, so only names of four letters or more count there).
    """
    words = re.split(r"[.-]", label.lower())
    if words[0] in first_names():
        return words[0], True
    for length in range(min(len(words[0]), 10), 3, -1):
        rest = words[0][length:]
        if words[0][:length] in first_names() and rest.isalpha() and len(rest) >= 3:
            return words[0][:length], False
    return None, False


def _platform_type(doc: Document, host: str, path: str) -> Decision:
    """Blogging platforms: a publication or organisation account is company, a person personal."""
    org = doc.hints.get("organization")
    if org:
        return Decision("company", 0.9, f"published by the organisation {org} on {host}")
    if host == "medium.com":
        first = path.strip("/").split("/")[0] if path.strip("/") else ""
        if first.startswith("@"):
            return Decision("personal", 0.85, f"Medium author page {first}")
        if first and first != "p":
            return Decision("company", 0.7, f"Medium publication {first}")
    if doc.hints.get("publication") and doc.hints.get("publication_kind") == "company":
        return Decision("company", 0.85, f"company publication {doc.hints['publication']}")
    return Decision("personal", 0.8, f"an individual's post on {host}")
