"""StoryLoader: how spiders fill a StoryItem."""

from __future__ import annotations

from itemloaders.processors import Identity, MapCompose, TakeFirst
from scrapy.loader import ItemLoader

from storycrawl.dates import parse_datetime
from storycrawl.items import StoryItem
from storycrawl.text import normalize_space


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _drop_empty(value: object) -> object:
    return None if value in ("", None) else value


def _merge_dicts(values: list[dict]) -> dict:
    merged: dict = {}
    for value in values:
        merged.update({k: str(v) for k, v in value.items() if v is not None})
    return merged


class StoryLoader(ItemLoader):
    """First non-empty value wins for single fields; lists are kept whole.

    >>> loader = StoryLoader()
    >>> loader.add_value("title", ["  ", " Lessons from our RAG bot "])
    >>> loader.load_item().title
    'Lessons from our RAG bot'
    """

    default_item_class = StoryItem
    default_input_processor = MapCompose(_strip, _drop_empty)
    default_output_processor = TakeFirst()

    text_in = MapCompose(normalize_space, _drop_empty)
    published_in = MapCompose(parse_datetime)
    fetched_at_in = MapCompose(parse_datetime)
    discussions_in = Identity()
    discussions_out = Identity()
    tools_out = Identity()
    activities_out = Identity()
    responsibilities_out = Identity()
    hints_in = Identity()
    hints_out = _merge_dicts
