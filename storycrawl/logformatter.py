"""Log lines for dropped items that name the story, not its whole text.

Scrapy's default puts the item's repr (the full article) in every "Dropped" line; a crawl
drops hundreds of candidates on purpose, so storycrawl logs the reason and the URL only. The
full decision is in the `rejections` table.
"""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy import logformatter


class StoryLogFormatter(logformatter.LogFormatter):
    def dropped(
        self, item: Any, exception: BaseException, response: Any, spider: Any = None
    ) -> dict[str, Any]:
        entry = super().dropped(item, exception, response, spider)
        entry["msg"] = "Dropped (%(reason)s): %(exception)s"
        entry["args"] = {"reason": type(exception).__name__, "exception": exception}
        return entry

    def scraped(self, item: Any, response: Any, spider: Any = None) -> dict[str, Any]:
        entry = super().scraped(item, response, spider)
        entry["msg"] = "Included: %(url)s"
        entry["args"] = {"url": ItemAdapter(item).get("url")}
        return entry
