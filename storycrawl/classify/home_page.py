"""What a site's home page says about who runs it: an organisation or a person.

An organisation's home page sells or recruits: pricing, docs, careers, product, demo and
customer links, log-in and sign-up, a company's legal line. A person's home page introduces
them: their name as the title, "about me", a CV, `rel="me"` profile links, a JSON-LD Person.
`read_home_page` turns the HTML into those signals (a pure function); `home_page_type` decides
when they agree, and says nothing (None) when they do not.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from storycrawl.classify.rules import Decision
from storycrawl.classify.site_cues import first_names

# How much of a home page is read (navigation and the first screens are what tell).
MAX_CHARS = 500_000

# (signal, pattern on a link's path or host, pattern on its text)
ORGANISATION_LINKS = (
    ("pricing", r"^/(?:[\w-]+/)?(?:pricing|plans)(?:/|$)", r"^(?:pricing|plans(?: & pricing)?)$"),
    (
        "docs",
        r"^docs\.|^/docs?(?:/|$)|^/documentation(?:/|$)|^/api-reference",
        r"^(?:docs|documentation|api reference)$",
    ),
    (
        "careers",
        r"^/(?:careers|jobs|join-us|open-roles)(?:/|$)|^(?:careers|jobs)\.",
        r"^(?:careers|jobs|we(?:'|’)re hiring|join (?:us|the team))$",
    ),
    (
        "product",
        r"^/(?:products?|features|platform|solutions|integrations|use-cases|enterprise)(?:/|$)",
        r"^(?:products?|features|platform|solutions|integrations|enterprise)$",
    ),
    (
        "demo",
        r"^/(?:demo|book-a-demo|request-demo|contact-sales)(?:/|$)",
        r"\b(?:book|request|get|schedule) a demo\b|^contact sales$|^talk to sales$",
    ),
    ("customers", r"^/(?:customers|case-studies)(?:/|$)", r"^(?:customers|case studies)$"),
    (
        "sign_in",
        r"^(?:app|dashboard|console|login|auth)\.|^/(?:login|log-in|signin|sign-in|signup|sign-up|register|app)(?:/|$)",
        r"^(?:log ?in|sign ?in|sign ?up|get started(?: free| for free)?|start (?:free|for free|a free trial)|try (?:it )?(?:for )?free)$",
    ),
)
PERSON_LINKS = (
    (
        "cv",
        r"^/(?:cv|resume|résumé|curriculum-vitae)(?:\.pdf|/|$)",
        r"^(?:cv|resume|résumé|my cv|my resume)$",
    ),
    ("about_me", r"^/about-me(?:/|$)", r"^(?:about me|who am i|me)$"),
)
ORGANISATION_TEXT = re.compile(
    r"©\s*(?:20\d\d\s*(?:[-–]\s*20\d\d)?\s*)?[\w&.,' -]{2,60}?\b(?:Inc|Ltd|LLC|GmbH|S\.?A\.?S?|B\.V|Oy|AB|Pty|Corp(?:oration)?|Limited|Co)\b\.?"
    r"|\btrusted by\b.{0,40}\b(?:teams|companies|customers)\b|\bSOC ?2\b",
    re.IGNORECASE,
)
PERSON_TEXT = re.compile(
    r"\b(?i:hi|hello|hey),? I(?:'|’)?m [A-Z]\w+|\bI(?:'|’)?m [A-Z]\w+(?: [A-Z]\w+)?,? (?:a|an) \w+"
    r"|\bmy name is [A-Z]\w+|\bwelcome to my (?:blog|site|corner)\b|\bthis is my (?:personal )?(?:blog|site|website)\b",
)
ORGANISATION_TYPES = {"Organization", "Corporation", "SoftwareApplication", "Product", "LocalBusiness", "NGO", "EducationalOrganization"}  # fmt: skip


@dataclass
class HomeSignals:
    organisation: dict[str, str] = field(default_factory=dict)
    person: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        parts = [f"{k} {v!r}" for k, v in {**self.organisation, **self.person}.items()]
        return ", ".join(parts) or "no signals"


def _ld_types(selector: Selector) -> set[str]:
    types: set[str] = set()
    for raw in selector.css('script[type="application/ld+json"]::text').getall():
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        stack = [data]
        while stack:
            obj = stack.pop()
            if isinstance(obj, list):
                stack.extend(obj)
            elif isinstance(obj, dict):
                kind = obj.get("@type")
                types.update(kind if isinstance(kind, list) else [kind] if kind else [])
                stack.extend(v for k, v in obj.items() if k == "@graph")
    return {t for t in types if isinstance(t, str)}


def _looks_like_a_name(title: str) -> bool:
    words = re.findall(r"[^\W\d_]+", title)
    return 2 <= len(words) <= 3 and words[0].lower() in first_names() and title.istitle()


def read_home_page(html: str, url: str) -> HomeSignals:
    """The organisation and person signals of a home page."""
    selector = Selector(text=html[:MAX_CHARS])
    signals = HomeSignals()
    site = urlsplit(url).hostname or ""
    for anchor in selector.css("a[href]"):
        href = urljoin(url, anchor.attrib["href"].strip())
        parts = urlsplit(href)
        host = (parts.hostname or "").removeprefix("www.")
        same_site = host == site.removeprefix("www.") or host.endswith(
            "." + site.removeprefix("www.")
        )
        if not same_site:
            continue
        place = parts.path if host == site.removeprefix("www.") else host
        text = " ".join(anchor.css("::text").getall()).strip().lower()
        for table, found in (
            (ORGANISATION_LINKS, signals.organisation),
            (PERSON_LINKS, signals.person),
        ):
            for name, place_pattern, text_pattern in table:
                if name not in found and (
                    re.search(place_pattern, place, re.IGNORECASE)
                    or re.search(text_pattern, text, re.IGNORECASE)
                ):
                    found[name] = text or place
    if selector.css('a[rel~="me"], link[rel~="me"]'):
        signals.person["rel_me"] = "rel=me profile links"
    body = " ".join(selector.css("body *:not(script):not(style)::text").getall())
    if match := ORGANISATION_TEXT.search(body):
        signals.organisation["legal_line"] = match.group(0).strip()
    if match := PERSON_TEXT.search(body):
        signals.person["introduction"] = match.group(0).strip()
    types = _ld_types(selector)
    if types & ORGANISATION_TYPES:
        signals.organisation["json_ld"] = ",".join(sorted(types & ORGANISATION_TYPES))
    if "Person" in types or "ProfilePage" in types:
        signals.person["json_ld"] = "Person"
    if selector.css('meta[property="og:type"][content="profile"]'):
        signals.person["og_profile"] = "og:type profile"
    title = (selector.css("title::text").get() or "").split("|")[0].split("—")[0].strip()
    if _looks_like_a_name(title):
        signals.person["name_title"] = title
    return signals


def home_page_type(signals: HomeSignals, host: str) -> Decision | None:
    """company when the home page sells or recruits and nobody introduces themselves, personal
    when a person does and little is sold; None when it says too little or both."""
    org, person = len(signals.organisation), len(signals.person)
    evidence = f"the home page of {host}: {signals.describe()}"
    if org >= 3 and person <= org // 3:
        return Decision("company", round(min(0.9, 0.7 + 0.04 * org), 2), evidence)
    if person >= 2 and org <= 1:
        return Decision("personal", round(min(0.9, 0.7 + 0.05 * person), 2), evidence)
    return None
