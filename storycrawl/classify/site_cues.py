"""URL and text cues for whose site a page is on: a person's or an organisation's (labels.md).

What decides source type when nothing better is known (no declaration, no known platform, no
page metadata, no home page): the shape of the host and path, then what the text says about
the site. Each cue is a row of a table with a weight (positive: an organisation's site,
negative: a person's) and example strings that match it (tested). The voice of the post ("I")
is not a cue here: company engineers write in "I" too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from storycrawl.urls import host_of

NAMES_FILE = Path(__file__).with_name("first_names.txt")


@dataclass(frozen=True)
class Cue:
    name: str
    pattern: re.Pattern[str]
    weight: float
    examples: tuple[str, ...]


def cue(name: str, pattern: str, weight: float, *examples: str, flags: int = re.IGNORECASE) -> Cue:
    return Cue(name, re.compile(pattern, flags), weight, examples)


# Matched against the host (without www.).
HOST_CUES = (
    cue(
        "company_subdomain",
        r"^(?:engineering|eng|tech|techblog|tech-blog|developers?|docs|labs?|research|careers|insights"
        r"|resources|newsroom|press|product|learn|academy|security|trust)\.",
        2.0,
        "engineering.acme.com",
        "tech.quillpost.com",
        "docs.vectorhold.dev",
    ),
    # blog.<name>.com is a product's blog more often than a person's (a person's name in
    # the label outweighs it).
    cue("blog_subdomain", r"^(?:blog|blogs|news|ai|dev)\.[\w-]+\.\w+", 1.0, "blog.quillpost.com"),
    cue(
        "brand_word",
        r"(?:labs?|hq|inc|corp|group|teams?|systems|software|solutions|consulting|digital"
        r"|technolog(?:y|ies)|tech|data|analytics|automation|agency|partners|practice|tools|cloud"
        r"|stack|forge|works|ventures|studio|academy|school|institute|news|daily|journal|wire|times"
        r"|media|jobs|careers|hire|talent|security|secure|cyber|sec|gateway|platform|intel"
        r"|networks?|dynamics|robotics|capital|global|ai)(?:\.[a-z.]+$|-)",
        1.0,
        "northwindlabs.com",
        "openteams.example",
        "quillsec.io",
        "acme-data.net",
    ),
    cue(
        "product_tld",
        r"\.(?:ai|io|app|cloud|tech|co|inc|company|institute|school|agency|software|security"
        r"|academy|training|courses?|education|consulting|solutions|systems|tools|studio|digital)$",
        1.0,
        "vectorhold.io",
        "tallyloop.ai",
    ),
    cue("personal_tld", r"\.(?:me|name|page|blog|id\.au|info)$", -1.5, "janedoe.me", "tomas.page"),
    cue(
        "handle_with_digits",
        r"^[a-z]+[-_]?\d{2,}\.|^[a-z]+\d+[a-z]*\.",
        -1.0,
        "karuppiah7890.github.io",
        "jdoe-94.github.io",
    ),
    cue(
        "personal_word",
        r"(?:^|[.-])(?:portfolio|resume|cv|homepage|personal|about-?me|my)(?:[.-]|$)",
        -2.0,
        "jane-portfolio.vercel.app",
        "my.tomasferreira.net",
    ),
)

# Matched against the path.
PATH_CUES = (
    cue(
        "company_section",
        r"/(?:engineering|eng|eng-blog|engineering-blog|tech-blog|techblog|customers|case-stud(?:y|ies)"
        r"|company|newsroom|press(?:-releases)?|(?:[a-z]+-)?news|resources|learn|academy|courses?"
        r"|solutions|services|products?|insights|use-cases|how-it-works|guest-(?:articles|posts)"
        r"|changelog|release-notes|releases|pricing|features|integrations|webinars?|events"
        r"|whitepapers?|ebooks?|partners|customers-stories|publications|research|advisories"
        r"|threat-(?:intel|research)|security-research|labs?|announcements?|updates)(?:/|$)",
        1.5,
        "/engineering/rag-evals",
        "/customers/acme",
        "/changelog/2026-03",
        "/research/agents",
    ),
    # openai.com/index/<slug>: a model lab's posts; docs.<product>.dev/blogs/<slug>.
    cue("lab_index", r"^/index/[\w-]+", 1.5, "/index/introducing-agent-evals"),
    cue("docs_blog", r"^/docs?/(?:[\w-]+/)*blogs?/", 1.5, "/docs/blogs/how-we-cache"),
    cue(
        "personal_section",
        r"^/(?:~[\w.-]+|posts?|notes|til|writing|essays|garden|thoughts|musings|journal|diary|about-me|cv|resume|portfolio|projects)(?:/|$)",
        -0.75,
        "/posts/my-rag-bot",
        "/~jane/agents.html",
        "/til/structured-outputs",
    ),
)

# Matched against the page text: what it says about whose site it is.
TEXT_CUES = (
    cue(
        "sales_call_to_action",
        r"\b(?:book|request|schedule|get) a (?:free )?demo\b|\bcontact (?:our )?sales\b"
        r"|\bstart (?:your )?free trial\b|\bno credit card required\b|\bget started (?:for )?free\b"
        r"|\btry (?:it|us|[A-Z]\w+) (?:for )?free\b|\bsign up (?:for free|today|now)\b"
        r"|\btalk to (?:an expert|our team|sales)\b|\b(?:pro|team|enterprise) plan\b",
        1.5,
        "Book a demo",
        "Get started free — no credit card required",
        "Upgrade to the Team plan",
    ),
    cue(
        "organisation_voice",
        r"\bour (?:customers|clients|platform|product|products|company|users|engineering team|team at)\b"
        r"|\bat (?-i:[A-Z])[\w&.-]+,? we\b|\bwe at (?-i:[A-Z])|\bwe(?:'re| are) (?:excited|thrilled|proud) to (?:announce|share|introduce)\b"
        r"|\btoday we(?:'re| are) (?:launching|releasing|announcing)\b|\bour (?:new|latest) (?:release|feature|model)\b",
        1.0,
        "our customers asked for it",
        "At Tallyloop, we",
        "We're excited to announce",
    ),
    cue(
        "employee_voice",
        r"\b(?:a )?(?:co-?worker|colleague)s? of mine\b|\bmy (?:co-?workers|colleagues|teammates)\b"
        r"|\bour (?:weekly |monthly )?(?:all-hands|internal (?:tools?|meetings?|wiki))\b|\bclient projects?\b",
        0.75,
        "A coworker of mine wrote",
        "in our weekly all-hands",
        "on a client project",
    ),
    cue(
        "own_life",
        r"\bmy (?:wife|husband|partner|kids?|son|daughter|family|homelab|home lab|side projects?|personal (?:site|blog|projects?)|blog|newsletter|day job|résumé|resume|cv|portfolio)\b"
        r"|\b(?:this|my) (?:little )?(?:blog|site|corner of the internet)\b|\bviews (?:are )?my own\b"
        r"|\bhi,? I(?:'m| am) [A-Z]\w+|\babout me\b|\bon my own time\b|\bI(?:'m| am) (?:a|an) (?:\w+ ){0,3}(?:engineer|developer|scientist|consultant|freelancer|student) (?:at|based|from|in|who)\b"
        r"|\bfreelanc(?:e|er|ing)\b|\bmy (?:client|clients)\b",
        -1.0,
        "my homelab",
        "views are my own",
        "Hi, I'm Jane",
        "I'm a backend engineer at a fintech",
    ),
)


@dataclass(frozen=True)
class Hit:
    name: str
    weight: float
    matched: str


def _search(cues: tuple[Cue, ...], value: str) -> list[Hit]:
    return [Hit(c.name, c.weight, m.group(0)) for c in cues if (m := c.pattern.search(value))]


@cache
def first_names() -> frozenset[str]:
    lines = NAMES_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


PLATFORM_LABELS = ("github", "gitlab", "vercel", "netlify", "pages", "substack", "hashnode")


def site_label(host: str) -> str:
    """The part of a host that names the site: 'janedoe' for blog.janedoe.dev, 'jdoe' for
    jdoe.github.io."""
    parts = host.split(".")
    if len(parts) > 2 and parts[0] in ("www", "blog", "blogs", "notes", "writing", "home", "tech"):
        parts = parts[1:]
    parts = [p for p in parts[:-1] if p not in PLATFORM_LABELS] or parts[:1]
    return ".".join(parts)


def first_name_in(label: str) -> tuple[str | None, bool]:
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


def name_parts(name: str | None) -> list[str]:
    return [part for part in re.findall(r"[a-z]+", (name or "").lower()) if len(part) > 2]


def url_hits(url: str, author: str | None = None) -> list[Hit]:
    """Cues of the host and path, and whether the host carries a person's name."""
    host = host_of(url)
    path = urlsplit(url).path or "/"
    label = site_label(host)
    # Brand words are read in the site's own name (not in a tech. or blog. subdomain).
    named = f"{label}.{host.rsplit('.', 1)[-1]}"
    hits = [h for h in _search(HOST_CUES, host) if h.name != "brand_word"]
    hits += [h for h in _search(HOST_CUES, named) if h.name == "brand_word"]
    hits += _search(PATH_CUES, path)
    author_parts = name_parts(author)
    compact = label.replace("-", "")
    if author_parts and any(part in compact for part in author_parts):
        hits.append(Hit("author_in_domain", -3.0, label))
    else:
        name, alone = first_name_in(label)
        if name:
            # A longer name at the start is likelier a person's than 'cora' in coralsight.
            weight = -2.5 if alone else (-1.75 if len(name) >= 5 else -1.0)
            hits.append(Hit("first_name_domain", weight, name))
    return hits


def text_hits(text: str) -> list[Hit]:
    return _search(TEXT_CUES, text[:20000])


def describe(hits: list[Hit]) -> str:
    return ", ".join(f"{h.name} {h.matched!r}" for h in hits)
