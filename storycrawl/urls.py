"""Canonical story URLs: one spelling per page, so the same story from two places is one row."""

from __future__ import annotations

import re
from functools import cache
from urllib.parse import SplitResult, parse_qsl, urldefrag, urlencode, urljoin, urlsplit, urlunsplit

import tldextract

# Query parameters that only say where a click came from.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "yclid",
        "ref",
        "ref_src",
        "ref_url",
        "referrer",
        "source",
        "sk",
        "share",
        "s",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "trk",
        "si",
        "cmpid",
        "campaign",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "oly_")
# Query strings that *are* the page's identity on these hosts (news.ycombinator.com/item?id=1).
KEEP_ALL_PARAMS_HOSTS = frozenset({"news.ycombinator.com"})


WEB_SCHEMES = ("http", "https")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")
_HOST = re.compile(r"^(?:[\w-]+\.)*[\w-]+\.?$", re.UNICODE)


def _split(url: str) -> SplitResult | None:
    """urlsplit that gives None instead of raising (a bad IPv6 literal, `[::1`)."""
    try:
        return urlsplit(url)
    except ValueError:
        return None


def url_problem(url: object) -> str | None:
    """Why `url` is not a web page address storycrawl can fetch, or None when it is one:
    an absolute http(s) URL with a host, a valid port and no control characters.

    >>> url_problem("javascript:alert(1)")
    "not an http(s) URL (scheme 'javascript')"
    >>> url_problem("https://example.com:99999/post")
    'bad port in the URL: 99999'
    """
    if not isinstance(url, str) or not url.strip():
        return "no URL"
    text = url.strip()
    if _UNSAFE.search(text):
        return "control characters in the URL"
    parts = _split(text)
    if parts is None:
        return "malformed host (a bad IPv6 address?)"
    if parts.scheme.lower() not in WEB_SCHEMES:
        if not parts.scheme:
            return "not an absolute URL (no http:// or https://)"
        return f"not an http(s) URL (scheme {parts.scheme.lower()!r})"
    try:
        port = parts.port
    except ValueError:
        port_text = parts.netloc.rsplit(":", 1)[-1]
        return f"bad port in the URL: {port_text}"
    if port == 0:
        return "bad port in the URL: 0"
    host = parts.hostname or ""
    if not host:
        return "no host in the URL"
    if ":" not in host and not _HOST.match(host):
        return f"bad host in the URL: {host!r}"
    return None


def is_web_url(url: object) -> bool:
    return url_problem(url) is None


def _is_tracking(key: str, host: str) -> bool:
    if host in KEEP_ALL_PARAMS_HOSTS:
        return False
    lowered = key.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """https, lower-case host without `www.`, no default port, no fragment, no tracking
    parameters, remaining parameters sorted. The path is kept as served (a trailing slash
    can matter to the server), so the canonical URL stays a working link.

    >>> canonical_url("http://www.Example.com/Post/?utm_source=hn&b=2&a=1#top")
    'https://example.com/Post/?a=1&b=2'

    A URL that is not a web URL (see url_problem) comes back stripped, unchanged.
    """
    if url_problem(url) is not None:
        return url.strip() if isinstance(url, str) else ""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().rstrip(".")
    host = host.removeprefix("www.")
    if ":" in host:
        host = f"[{host}]"  # an IPv6 literal keeps its brackets
    port = parts.port
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    path = parts.path or "/"
    params = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(k, host)
    ]
    query = urlencode(sorted(params))
    return urlunsplit(("https", netloc, path, query, ""))


def host_of(url: str) -> str:
    """Lower-case host without `www.`; empty for a malformed URL."""
    parts = _split(url) if isinstance(url, str) else None
    try:
        host = ((parts.hostname if parts else "") or "").lower()
    except ValueError:
        return ""
    return host.removeprefix("www.")


def host_matches(host: str, domains: frozenset[str] | set[str] | list[str]) -> bool:
    """True when host is one of domains or a subdomain of one."""
    return any(host == d or host.endswith("." + d) for d in domains)


def web_link(value: object, base: str = "") -> str | None:
    """A link from a page or feed, resolved against `base`, without its fragment; None when it
    is not a web URL (`javascript:`, `mailto:`, a bad port or IPv6 address)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        link = urldefrag(urljoin(base, value.strip()))[0]
    except ValueError:
        return None
    return link if url_problem(link) is None else None


@cache
def _extractor() -> tldextract.TLDExtract:
    # The public suffix list shipped with tldextract: never fetched (no network), private
    # suffixes included so that two github.io users are two sites.
    return tldextract.TLDExtract(suffix_list_urls=(), include_psl_private_domains=True)


def site_of(host: str) -> str:
    """The registrable domain of a host (`blog.example.co.uk` → `example.co.uk`); the host
    itself when it has none (an IP address, `localhost`)."""
    parts = _extractor()(host)
    return parts.top_domain_under_public_suffix or host


def same_site(host: str, hosts: list[str] | set[str] | frozenset[str]) -> bool:
    """True when host belongs to the site of one of hosts (same registrable domain)."""
    return bool(host) and any(host_matches(host, {h}) or site_of(host) == site_of(h) for h in hosts)
