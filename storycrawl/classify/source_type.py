"""Source type: social, personal or company (labels.md), decided by the site, with evidence.

In order of trust: the source's declaration (a feed's type in the sources file), known
platforms (social hosts and their mirrors, job boards, blogging platforms), the page's own
metadata (JSON-LD publisher, og:site_name against the author), the site's home page (the
`source_type` pipeline fetches it once per host, storycrawl.classify.home_page), and last the
URL and text cues of storycrawl.classify.site_cues. The post's voice only breaks a tie: an
"I" in a post never makes a company's blog personal.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from storycrawl import registry
from storycrawl.classify.base import Document
from storycrawl.classify.rules import Decision, hosts, job_host
from storycrawl.classify.site_cues import (
    Hit,
    describe,
    name_parts,
    site_label,
    text_hits,
    url_hits,
)
from storycrawl.urls import host_matches, host_of

# The URL and text cues decide when their weights add up to this much either way.
CUES_DECIDE = 1.0


def source_type(doc: Document, home: Decision | None = None) -> Decision:
    """social / personal / company for a page; `home` is what the site's home page says
    (storycrawl.classify.home_page.home_page_type), when it was fetched and decided."""
    declared = doc.hints.get("source_type")
    if declared in ("social", "personal", "company"):
        return Decision(
            declared, 0.97, doc.hints.get("source_type_reason", "declared by the source")
        )
    if decision := known_platform(doc):
        return decision
    if decision := page_metadata(doc):
        return decision
    if home is not None:
        return home
    return from_cues(doc)


def known_platform(doc: Document) -> Decision | None:
    """Job boards, social platforms and their mirrors, forums, blogging platforms."""
    h = hosts()
    host = host_of(doc.url)
    parts = urlsplit(doc.url)
    path = parts.path or "/"
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
    if _MIRROR_HOST.search(host) or _THREAD_PATH.match(path) or _HN_ITEM.match(place):
        return Decision("social", 0.85, f"a mirror or archive of Reddit / HN threads ({host})")
    if match := _SOCIAL_TITLE.match(doc.title or ""):
        return Decision("social", 0.85, f"the title says it is a post: {match.group(0)!r}")
    if host_matches(host, h.platforms):
        return _platform_type(doc, host, path)
    if _SUBSTACK_POST.match(path) or "substack" in doc.hints.get("generator", "").lower():
        # A Substack newsletter on its own domain (posts live at /p/<slug>).
        return _platform_type(doc, "substack.com", path)
    return None


def page_metadata(doc: Document) -> Decision | None:
    """The page's own word: JSON-LD publisher a Person, or the site named after its author.

    An Organization publisher is not decisive here (blog engines name the site itself as the
    publishing Organization on one person's blog): it is one of the cues instead.
    """
    publisher = doc.hints.get("publisher_type", "")
    if "Person" in publisher and "Organization" not in publisher:
        return Decision("personal", 0.85, "the page's JSON-LD publisher is a Person")
    author = doc.author or doc.hints.get("author")
    author_parts = [] if organisation_author(doc.url, author) else name_parts(author)
    site_name = (doc.hints.get("site_name") or "").lower()
    if site_name and author_parts and any(part in site_name for part in author_parts):
        return Decision("personal", 0.8, f"site named after its author ({doc.hints['site_name']})")
    return None


def organisation_author(url: str, author: str | None) -> bool:
    """'VectorHarbor Team', 'Acme Engineering', or the site's own name as the byline."""
    if not author:
        return False
    if _ORG_AUTHOR.search(author):
        return True
    compact = re.sub(r"[^a-z]", "", author.lower())
    label = site_label(host_of(url)).replace("-", "")
    return len(compact) >= 4 and (compact in label or label in compact)


def metadata_hits(doc: Document) -> list[Hit]:
    hits = []
    author = doc.author or doc.hints.get("author")
    if organisation_author(doc.url, author):
        hits.append(Hit("organisation_byline", 2.0, author or ""))
    types = set(doc.hints.get("schema_types", "").split(","))
    if sold := types & _SOLD_TYPES:
        hits.append(Hit("sells_something", 1.5, ",".join(sorted(sold))))
    publisher = doc.hints.get("publisher_type", "")
    if "Organization" in publisher or "Corporation" in publisher:
        hits.append(Hit("organisation_publisher", 0.75, publisher))
    site_name = doc.hints.get("site_name") or ""
    if site_name and author and not page_metadata(doc) and not organisation_author(doc.url, author):
        hits.append(Hit("site_not_named_after_author", 0.5, site_name))
    return hits


def from_cues(doc: Document) -> Decision:
    """URL and text cues only: what `scrapy classify` on a file has."""
    host = host_of(doc.url)
    hits = (
        url_hits(doc.url, doc.author or doc.hints.get("author"))
        + metadata_hits(doc)
        + text_hits(doc.text)
    )
    score = sum(h.weight for h in hits)
    if score >= CUES_DECIDE:
        return Decision("company", _confidence(score), f"an organisation's site: {describe(hits)}")
    if score <= -CUES_DECIDE:
        return Decision("personal", _confidence(score), f"a person's site: {describe(hits)}")
    found = f" ({describe(hits)})" if hits else ""
    if score > 0:
        return Decision("company", 0.55, f"leaning to an organisation's site{found}")
    if score < 0:
        return Decision("personal", 0.55, f"leaning to a person's site{found}")
    sample = doc.text[:20000]
    singular = len(re.findall(r"\b(?:I|I'm|I've|my)\b", sample))
    plural = len(re.findall(r"\b(?:we|our|us)\b", sample, re.IGNORECASE))
    if singular == 0 and plural == 0:
        return Decision("company", 0.6, f"nobody's own voice on {host}{found}")
    return Decision("personal", 0.55, f"no sign of an organisation on {host}{found}")


def _confidence(score: float) -> float:
    return round(min(0.9, 0.6 + 0.06 * abs(score)), 2)


_ORG_AUTHOR = re.compile(
    r"\b(?:team|staff|editors?|editorial|newsroom|engineering|marketing|admin)\b", re.IGNORECASE
)
# schema.org types of pages that sell: a course, a product, an app, an offer.
_SOLD_TYPES = {"Course", "Product", "SoftwareApplication", "Offer", "Service", "Event"}
# Community forums (Discourse and the like): members' threads, whoever runs the server.
_FORUM_HOST = re.compile(
    r"^(?:[\w-]*communit(?:y|ies)|forums?|discuss|discourse|talk)\.", re.IGNORECASE
)
_FORUM_TOPIC = re.compile(r"^/t/[\w%-]+/\d+/?$")  # Discourse: /t/<slug>/<topic id>
# Mirrors, readers and archives of Reddit and HN threads (redlib instances, HN readers,
# snapshot archives): the thread is still a member's post.
_MIRROR_HOST = re.compile(
    r"(?:^|[.-])(?:reddit|libreddit|redlib|teddit|hn|hackernews|hckrnws|ycombinator|lobsters|lemmy)[.-]",
    re.IGNORECASE,
)
_THREAD_PATH = re.compile(r"^/r/\w+/comments/\w+", re.IGNORECASE)
_HN_ITEM = re.compile(r"^[\w.-]+/item(?:/\d+|/?$)")
# Titles aggregators and archives give members' posts and comments.
_SOCIAL_TITLE = re.compile(
    r"^(?:(?:a )?(?:hacker news|hn|reddit|lobsters|mastodon|bluesky) (?:comment|post|thread)\b"
    r"|(?:ask|show|tell) hn:|(?:post|thread|comment) by @)",
    re.IGNORECASE,
)
_SUBSTACK_POST = re.compile(r"^/p/[\w-]+/?$")
# /@user/123456789012345678: a post on a Mastodon server (any host: the fediverse has thousands).
_FEDIVERSE_POST = re.compile(r"^/@[\w.]+(?:@[\w.-]+)?/\d{6,}/?$")
# A project site's blog on GitHub Pages (<owner>.github.io/<project>/blog/...), not a blog repo.
_PROJECT_BLOG = re.compile(
    r"^/(?![\w-]*(?:blog|posts|personal|website|site|homepage|portfolio|cv|resume)\b)([\w-]+)/(?:blog|news|releases)/",
    re.IGNORECASE,
)
# An organisation's account on a platform: a separate word of its name says so (acme-labs,
# quill-ai-team); a person's handle run together (janedata) does not.
_ORG_ACCOUNT = re.compile(
    r"(?:^|-)(?:labs?|team|hq|inc|corp|group|org|engineering|eng|tech|ai|research|official|dev)(?:-|$)"
)


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
    if host in ("dev.to", "hashnode.com") and (match := _ORG_ACCOUNT.search(path.split("/")[1])):
        return Decision("company", 0.7, f"an organisation's account on {host} ({match.group(0)!r})")
    if doc.hints.get("publication") and doc.hints.get("publication_kind") == "company":
        return Decision("company", 0.85, f"company publication {doc.hints['publication']}")
    # <account>.github.io, <account>.substack.com: the account names the site.
    account = site_label(host) if not host_matches(host, [host]) or host.count(".") > 1 else ""
    if account and (match := _ORG_ACCOUNT.search(account)):
        return Decision(
            "company", 0.7, f"an organisation's account {account} on {host} ({match.group(0)!r})"
        )
    if (match := _PROJECT_BLOG.match(path)) and host.endswith((".github.io", ".gitlab.io")):
        return Decision("company", 0.7, f"the {match.group(1)} project's blog on {host}")
    return Decision("personal", 0.8, f"an individual's post on {host}")
