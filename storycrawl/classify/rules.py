"""Rule-based labels: job postings (labels.md), and the host lists of hosts.toml.

Cheap, explainable and shared: the `jobs` pipeline uses them before any classifier runs, and
both classifiers use them too. Source type lives in storycrawl.classify.source_type.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from storycrawl.classify.base import Document
from storycrawl.urls import host_matches, host_of

HOSTS_FILE = Path(__file__).with_name("hosts.toml")


@dataclass(frozen=True)
class Hosts:
    job_boards: frozenset[str]
    job_host_paths: tuple[str, ...]
    job_path_prefixes: tuple[str, ...]
    not_job_paths: tuple[str, ...]
    social: frozenset[str]
    social_personal_paths: tuple[str, ...]
    platforms: frozenset[str]


@cache
def hosts() -> Hosts:
    data = tomllib.loads(HOSTS_FILE.read_text(encoding="utf-8"))
    return Hosts(
        job_boards=frozenset(data["job_boards"]["hosts"]),
        job_host_paths=tuple(data["job_boards"]["host_paths"]),
        job_path_prefixes=tuple(data["job_boards"]["path_prefixes"]),
        not_job_paths=tuple(data["job_boards"]["not_job_paths"]),
        social=frozenset(data["social"]["hosts"]),
        social_personal_paths=tuple(data["social"]["personal_paths"]),
        platforms=frozenset(data["platforms"]["hosts"]),
    )


@dataclass(frozen=True)
class Decision:
    value: bool | str
    confidence: float
    evidence: str


# --- job postings ----------------------------------------------------------------------------

# Titles that are hiring threads or ads whatever the body says.
JOB_TITLE = re.compile(
    r"who is hiring|who wants to be hired|seeking freelancer|\[hiring\]|\[for hire\]|\[hire\]"
    r"|^we(?:'|’)?re hiring|^now hiring|^hiring:|job opening|^job posting|job posting:|open positions?\b|^careers?:"
    r"|\bis hiring\b|salary guide|salaries? (?:report|survey|guide)|compensation (?:report|guide|survey)"
    # Recruiting content (labels.md): job descriptions, hiring guides, interview question banks.
    r"|job description|job spec(?:ification)?s?\b|how to hire|hiring guide|(?:key )?responsibilities and (?:required )?skills"
    r"|\binterview questions\b|\bjobs in [A-Z]|\bjobs? board\b|\bjobs \(\d"
    r"|\bemployers want\b|\b\d[\d,]* (?:job )?listings\b"
    # Job seekers answer hiring threads too (labels.md: "Who wants to be hired").
    r"|\bopen to work\b|\bavailable for hire\b|\bseeking (?:a |an )?(?:new )?(?:role|position|job)\b|\bhire me\b"
    r"|\bsalar(?:y|ies)\b.{0,40}\b(?:survey|report|guide|data|benchmarks?|202\d)\b",
    re.IGNORECASE,
)
# How a social post (which has no title of its own) opens when it is an ad or a job seeker's.
JOB_OPENING = re.compile(
    r"^\s*\[(?:hiring|for hire|hire|paid)\]|^\s*(?:we(?:'|’)?re |now )?hiring\b|\b(?:is|are) hiring\b"
    r"|\bopen to work\b|#opentowork\b|\bavailable for hire\b|\bhire me\b|\bseeking freelancer"
    r"|\blooking for (?:someone|a freelancer|a contractor|a dev) to build\b",
    re.IGNORECASE,
)
# Section headings and phrases of job ads. One of them in a story is normal ("we're hiring!");
# a posting has several.
JOB_SIGNALS: dict[str, re.Pattern[str]] = {
    "apply": re.compile(
        r"\bapply (?:now|here|today|for this|via|through|at)\b|\bto apply\b|how to apply|submit your (?:application|resume|cv)"
        r"|\b(?:dm|message|ping) me\b|\bsend (?:me |us )?(?:your )?(?:cv|resume|résumé|portfolio)\b|\bemail (?:us|me) at\b|\bjobs@|\bcareers@",
        re.IGNORECASE,
    ),
    "requirements": re.compile(
        r"^\s*(?:requirements|qualifications|minimum qualifications|preferred qualifications)\s*:?\s*$|\bwhat we(?:'|’)?re looking for\b|\byou (?:have|bring)\s*:|\bnice to have\b|\bmust have\b",
        re.IGNORECASE | re.MULTILINE,
    ),
    "responsibilities": re.compile(
        r"^\s*(?:responsibilities|key responsibilities|what you(?:'|’)?ll do|the role|about the role|your role)\s*:?\s*$|\bwhat you(?:'|’)?ll do\b|\bin this role,? you\b|\byou will be responsible\b",
        re.IGNORECASE | re.MULTILINE,
    ),
    "experience_years": re.compile(
        r"\b\d\+? ?(?:-|to|–)? ?\d*\+? years? (?:of )?(?:professional |relevant |industry )?experience\b",
        re.IGNORECASE,
    ),
    "salary": re.compile(
        r"(?:salary|compensation|pay|base)(?: range)?\s*[:\-–]?\s*(?:[$€£]\s?\d|\d{2,3}k)"
        r"|[$€£]\s?\d{2,3}(?:[.,]\d{3}|k)?\s*(?:-|–|to)\s*[$€£]?\s?\d{2,3}(?:[.,]\d{3}|k)"
        r"|\b\d{2,3}k\s*(?:-|–|to)\s*\d{2,3}k\b|\b(?:total comp|tc|ote)\b\s*[:~]?\s*[$€£]?\d",
        re.IGNORECASE,
    ),
    "benefits": re.compile(
        r"^\s*(?:benefits|perks|what we offer)\s*:?\s*$|\b(?:401\(?k\)?|equity package|health insurance|paid time off|pto)\b",
        re.IGNORECASE | re.MULTILINE,
    ),
    "eeo": re.compile(
        r"equal opportunity employer|eeo statement|regardless of race|we do not discriminate|reasonable accommodation",
        re.IGNORECASE,
    ),
    "location_type": re.compile(
        r"\b(?:remote|hybrid|onsite|on-site)\b\s*(?:\||/|,|\(|-|–)|\blocation\s*:|\b(?:full[- ]time|part[- ]time|contract)\b\s*(?:\||/|,|role|position)",
        re.IGNORECASE,
    ),
    "recruiting": re.compile(
        r"\bhiring managers?\b|\bsalary (?:band|bands|benchmarks?|ranges? for)\b|\bjob (?:description|specification)s?\b|\bpost(?:ing)? the job\b",
        re.IGNORECASE,
    ),
    "hiring": re.compile(
        r"\bwe(?:'|’)?re hiring\b|\bwe are hiring\b|\bjoin (?:our|the) team\b|\bopen roles?\b|\bhiring (?:for|a|an)\b",
        re.IGNORECASE,
    ),
}
JOB_SIGNALS["thread_header"] = re.compile(
    # "Acme | AI Engineer | Remote (US) | $160k": the first line of a Who-is-hiring comment.
    r"^[^\n|]{2,60}\|[^\n|]*\b(?:engineer|developer|scientist|lead|manager|designer)\b[^\n|]*\|",
    re.IGNORECASE | re.MULTILINE,
)
JOB_SIGNALS["looking_for"] = re.compile(
    r"\bwe(?:'|’)?re looking for (?:a|an|two|three|our first|someone)\b|\bthe ideal candidate\b|\bwho you are\b"
    r"|\bwhat you(?:'|’)?ll bring\b|\bvisa sponsorship\b|\bcompetitive (?:salary|pay|compensation)\b"
    r"|\b(?:looking for|open to) (?:my next|a new) (?:role|position|job|opportunity)\b|\bmy (?:cv|resume|résumé)\b",
    re.IGNORECASE,
)
JOB_SIGNALS_NEEDED = 3
# Short posts (a social hiring post, a hiring-thread comment) need fewer signals.
SHORT_POST_WORDS = 150
# How much of a short post's text is read as its title.
OPENING_CHARS = 160


def job_host(url: str) -> str | None:
    host = host_of(url)
    path = urlsplit(url).path or "/"
    place = host + path
    h = hosts()
    if any(place.startswith(p) for p in h.not_job_paths):
        return None
    if host_matches(host, h.job_boards):
        return f"job board host {host}"
    if any(place.startswith(p) for p in h.job_host_paths):
        return f"job page {place}"
    return None


def job_posting(doc: Document) -> Decision:
    """Is the page a job ad, hiring thread, careers/job-board page or salary guide?"""
    if reason := job_host(doc.url):
        return Decision(True, 0.97, reason)
    if "JobPosting" in doc.hints.get("schema_types", ""):
        return Decision(True, 0.97, "schema.org JobPosting on the page")
    if match := JOB_TITLE.search(doc.title or ""):
        return Decision(True, 0.93, f"title says {match.group(0)!r}")
    text = doc.text[:20000]
    short = len(text.split()) < SHORT_POST_WORDS
    # A social post has no title of its own: its opening line plays that part.
    if short and (match := JOB_OPENING.search(text.lstrip()[:OPENING_CHARS])):
        return Decision(True, 0.9, f"the post opens with {match.group(0)!r}")
    found = {
        name: m.group(0).strip()
        for name, pattern in JOB_SIGNALS.items()
        if (m := pattern.search(text))
    }
    path = urlsplit(doc.url).path.lower()
    careers_path = any(path.startswith(p) for p in hosts().job_path_prefixes)
    if careers_path:
        found["careers_path"] = path
    quoted = ", ".join(f"{k}: {v!r}" for k, v in list(found.items())[:5])
    needed = 2 if short else JOB_SIGNALS_NEEDED
    if "thread_header" in found and len(found) >= 2:
        return Decision(True, 0.9, f"a hiring-thread entry ({quoted})")
    if len(found) >= needed and _reads_like_ad(text, found):
        return Decision(True, min(0.95, 0.6 + 0.08 * len(found)), f"job-ad signals ({quoted})")
    if found:
        return Decision(False, 0.8, f"only {len(found)} job-ad signal(s) ({quoted})")
    return Decision(False, 0.95, "no job-ad signals")


_STORY_VOICE = re.compile(
    r"\b(?:we|i) (?:built|shipped|learned|found|spent|tried|moved|rewrote|noticed|realized|realised|debugged|measured|started|switched)\b",
    re.IGNORECASE,
)


def _reads_like_ad(text: str, found: dict[str, str]) -> bool:
    """Several ad phrases in a long first-hand story ("we're hiring, apply here") do not make
    it an ad: the ad's structure (requirements, responsibilities, salary, benefits) must be
    there, or the story voice must be thin."""
    structural = {
        "requirements",
        "responsibilities",
        "salary",
        "benefits",
        "eeo",
        "experience_years",
    } & found.keys()
    story_voice = len(_STORY_VOICE.findall(text))
    if len(structural) >= 2:
        return story_voice < 6 or len(structural) >= 3
    return story_voice < 2
