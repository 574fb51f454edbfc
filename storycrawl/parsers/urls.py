"""URL files for `scrapy crawl urls`: one URL a line, with optional flags.

    # comments and blank lines are skipped
    https://example.com/blog/how-we-built-our-agent
    https://x.com/someone/status/1850000000000000000   js type=social
    https://www.linkedin.com/pulse/our-rag-year-jane-doe/  type=personal

`js` renders the page in Chromium; `type=` declares its source type (labels.md). A line
whose URL is malformed (`javascript:`, a bad port or IPv6 address) is a bad line, reported with
its number; the others are read. The file is UTF-8 (with or without a byte order mark), or
UTF-16 with one; any other bytes are read as Windows-1252, and `decode_url_file` says so.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from storycrawl.items import SOURCE_TYPES
from storycrawl.urls import url_problem


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


def decode_url_file(data: bytes) -> tuple[str, str | None]:
    """A URL file's text, and a note when it was not UTF-8 (what was done instead)."""
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(encoding), None
            except UnicodeDecodeError:
                break
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        note = (
            f"not UTF-8 (byte 0x{data[exc.start]:02x} on line {line}); read as Windows-1252, "
            "save it as UTF-8 to be sure of non-ASCII characters"
        )
        return data.decode("cp1252", errors="replace"), note


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
        if problem := url_problem(url):
            errors.append(UrlLineError(number, f"{problem}: {url!r}"))
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
