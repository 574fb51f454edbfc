"""Canonical story URLs: one spelling per page, so the same story from two places is one row."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

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
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https", ""):
        return url.strip()
    host = (parts.hostname or "").lower().rstrip(".")
    host = host.removeprefix("www.")
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
    """Lower-case host without `www.`."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def host_matches(host: str, domains: frozenset[str] | set[str] | list[str]) -> bool:
    """True when host is one of domains or a subdomain of one."""
    return any(host == d or host.endswith("." + d) for d in domains)
