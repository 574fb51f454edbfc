"""The SSRF guard: links found in other people's posts may not reach this machine's network.

A link in a Hacker News post, a feed entry or a Mastodon status is chosen by a stranger. Without a
guard it could make the crawl fetch `http://169.254.169.254/` (a cloud's metadata service),
`http://localhost:8080/admin`, a router on `192.168.1.1`, or `file:///etc/passwd`. So:

- only `http` and `https` are fetched (`file:`, `ftp:`, `data:`, `s3:`... are refused);
- a host that is, or resolves to, a non-public address (loopback, private ranges, link-local,
  carrier-grade NAT, multicast, reserved, IPv4-mapped forms of these) is refused, unless the user
  named it: the origins (scheme, host, port) of the crawl's start requests (the sources file's API
  and feed URLs, the URL file's lines) and the hosts in `STORYCRAWL_ALLOW_PRIVATE_HOSTS`
  (`host` or `host:port`; `*` allows every private address);
- a refused request raises IgnoreRequest, so an article ends as a `fetch_failed` rejection that says
  why. Redirects pass through the guard again (RedirectMiddleware schedules a new request).

It sits before RobotsTxtMiddleware, so a refused host is not even asked for its robots.txt. The
host is resolved off the reactor thread and the answer cached per host; a name that does not
resolve is let through to fail as a DNS error in the download. Replay sends nothing anywhere: there
names are not resolved, literal addresses and schemes are still checked.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

logger = logging.getLogger(__name__)

WEB_SCHEMES = frozenset({"http", "https"})
DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of a web URL, or None when it has no usable host or port."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        return None
    return scheme, host, port or DEFAULT_PORTS.get(scheme, 0)


def address_problem(address: str) -> str | None:
    """Why an IP address may not be fetched ("loopback", "link-local"...), or None if public."""
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return None
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        ip = mapped
    for kind in ("loopback", "link_local", "multicast", "unspecified", "reserved", "private"):
        if getattr(ip, f"is_{kind}"):
            return kind.replace("_", "-")
    if not ip.is_global:
        return "non-public"
    return None


def resolve(host: str) -> list[str]:
    """Every address `host` resolves to (numeric forms such as 2130706433 included)."""
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return sorted({info[4][0] for info in infos})


def parse_allowed(entries: list[str]) -> tuple[bool, set[str], set[tuple[str, int]]]:
    """STORYCRAWL_ALLOW_PRIVATE_HOSTS → (allow all, hosts on any port, (host, port) pairs)."""
    hosts: set[str] = set()
    pairs: set[tuple[str, int]] = set()
    allow_all = False
    for raw in entries:
        entry = str(raw).strip().lower()
        if not entry:
            continue
        if entry == "*":
            allow_all = True
            continue
        try:
            parts = urlsplit(f"http://{entry}")
            host, port = (parts.hostname or "").rstrip("."), parts.port
        except ValueError:
            host, port = "", None
        if not host or "/" in entry:
            raise ValueError(f"STORYCRAWL_ALLOW_PRIVATE_HOSTS: {raw!r} is not a host or host:port")
        if port is None:
            hosts.add(host)
        else:
            pairs.add((host, port))
    return allow_all, hosts, pairs


class PrivateNetworkGuard:
    """Downloader middleware refusing non-web schemes and non-public addresses; see the module."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.allow_all, self.allowed_hosts, self.allowed_pairs = parse_allowed(
            crawler.settings.getlist("STORYCRAWL_ALLOW_PRIVATE_HOSTS")
        )
        self.resolve_names = not crawler.settings.get("STORYCRAWL_REPLAY")
        self._problems: dict[str, str | None] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivateNetworkGuard:
        return cls(crawler)

    def _named(self, found: tuple[str, str, int]) -> bool:
        _, host, port = found
        if host in self.allowed_hosts or (host, port) in self.allowed_pairs:
            return True
        named = getattr(self.crawler.spider, "named_origins", ())
        return found in named

    async def _host_problem(self, host: str) -> str | None:
        if host in self._problems:
            return self._problems[host]
        problem = address_problem(host)
        if problem is None and self.resolve_names and not _is_literal(host):
            try:
                addresses = await asyncio.get_running_loop().run_in_executor(None, resolve, host)
            except (OSError, UnicodeError):
                addresses = []  # unresolvable: the download fails with its own DNS error
            for address in addresses:
                if (kind := address_problem(address)) is not None:
                    problem = f"{kind} ({address})"
                    break
        self._problems[host] = problem
        return problem

    async def process_request(self, request: Request) -> None:
        scheme = urlsplit(request.url).scheme.lower()
        stats = self.crawler.stats
        if scheme not in WEB_SCHEMES:
            stats.inc_value("storycrawl/guard/refused/scheme")
            raise IgnoreRequest(
                f"refused: {scheme or 'no'} scheme (only http and https are fetched)"
            )
        found = origin(request.url)
        if found is None or self.allow_all or self._named(found):
            return
        problem = await self._host_problem(found[1])
        if problem is None:
            return
        stats.inc_value("storycrawl/guard/refused/private_address")
        logger.info("Refused %s: %s address", request.url, problem)
        raise IgnoreRequest(
            f"refused: {found[1]} is a {problem} address, not fetched from a link "
            "(STORYCRAWL_ALLOW_PRIVATE_HOSTS allows it)"
        )


def _is_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    return True
