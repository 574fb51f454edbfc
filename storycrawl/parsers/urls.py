"""URL files for `scrapy crawl urls`: one URL a line, with optional flags.

    # comments and blank lines are skipped
    https://example.com/blog/how-we-built-our-agent
    https://x.com/someone/status/1850000000000000000   js type=social
    https://www.linkedin.com/pulse/our-rag-year-jane-doe/  type=personal

`js` renders the page in Chromium; `type=` declares its source type (labels.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from storycrawl.items import SOURCE_TYPES


@dataclass(frozen=True)
class UrlLine:
    line: int
    url: str
    js: bool = False
    source_type: str | None = None


@dataclass(frozen=True)
class UrlLineError:
    line: int
    message: str


def parse_url_file(text: str) -> tuple[list[UrlLine], list[UrlLineError]]:
    """Good lines in file order (each URL once), and the bad ones with their numbers."""
    lines: list[UrlLine] = []
    errors: list[UrlLineError] = []
    seen: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        content = raw.split("#", 1)[0].strip() if raw.lstrip().startswith("#") else raw.strip()
        if not content:
            continue
        url, *flags = content.split()
        if not url.startswith(("http://", "https://")):
            errors.append(UrlLineError(number, f"not an http(s) URL: {url!r}"))
            continue
        js, source_type, bad = False, None, None
        for flag in flags:
            if flag == "js":
                js = True
            elif flag.startswith("type=") and flag[5:] in SOURCE_TYPES:
                source_type = flag[5:]
            else:
                bad = f"unknown option {flag!r} (options: js, type=social|personal|company)"
                break
        if bad:
            errors.append(UrlLineError(number, bad))
            continue
        if url in seen:
            continue
        seen.add(url)
        lines.append(UrlLine(number, url, js, source_type))
    return lines, errors
