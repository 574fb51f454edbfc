"""normalize: validate the item; canonical URL; dates to UTC; a title for untitled posts.

Stories published before the spider's `since` (an old article shared again) leave as
OutOfRange.

Items a spider could not fetch or read (`fetch_error` set) leave here as FetchFailed, items
that do not validate (a malformed URL included) as InvalidStory, items with under
MIN_TEXT_CHARS of text as TooShort ("too short to judge"): all land in the `rejections` table
with the reason.
"""

from __future__ import annotations

from datetime import UTC, datetime

from itemadapter import ItemAdapter
from pydantic import ValidationError

from storycrawl.dates import to_utc
from storycrawl.exceptions import FetchFailed, InvalidStory, OutOfRange, TooShort
from storycrawl.items import StoryItem
from storycrawl.pipelines import StoryPipeline
from storycrawl.text import fingerprint, first_line_title, normalize_space, text_hash
from storycrawl.urls import canonical_url, url_problem

MIN_TEXT_CHARS = 40
# Real titles are under 300 characters (Reddit's limit); a longer one is cut, at a word, so that
# no stage downstream (cue regexes, the LLM prompt, the report) works on a hostile page's megabyte.
MAX_TITLE_CHARS = 500


class NormalizePipeline(StoryPipeline):
    stage = "normalize"

    def process_item(self, item):
        data = ItemAdapter(item).asdict()
        if data.get("fetch_error"):
            self.count("fetch_failed")
            raise FetchFailed(
                f"{data.get('url')}: {data['fetch_error']}", evidence=data["fetch_error"]
            )
        try:
            story = StoryItem.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()
            )
            self.count("invalid")
            raise InvalidStory(f"{data.get('url')}: {problems}", evidence=problems) from None
        if problem := url_problem(story.url):
            self.count("invalid")
            raise InvalidStory(f"not a web URL: {story.url!r} ({problem})", evidence=problem)
        story.url = canonical_url(story.url)
        for discussion in story.discussions:
            discussion.url = canonical_url(discussion.url)
            if discussion.published:
                discussion.published = to_utc(discussion.published)
        story.text = normalize_space(story.text)
        if len(story.text) < MIN_TEXT_CHARS:
            # Fetched and read: a title-only post or a one-line toot, not a failed fetch.
            self.count("too_short")
            raise TooShort(
                f"{story.url}: too short to judge ({len(story.text)} characters of text)",
                evidence=f"too short to judge: {len(story.text)} characters of text",
            )
        if story.published:
            story.published = to_utc(story.published)
            since = getattr(self.crawler.spider, "since", None)
            if since is not None and story.published < since:
                self.count("out_of_range", story)
                raise OutOfRange(
                    f"{story.url}: published {story.published.date()}, before since={since.date()}",
                    evidence=f"published {story.published.date().isoformat()}",
                )
        story.fetched_at = to_utc(story.fetched_at) if story.fetched_at else datetime.now(UTC)
        if not story.title.strip():
            story.title = first_line_title(story.text)
            self.count("title_from_text", story)
        story.title = normalize_space(story.title)
        if len(story.title) > MAX_TITLE_CHARS:
            story.title = story.title[:MAX_TITLE_CHARS].rsplit(" ", 1)[0].rstrip() + "…"
            self.count("title_cut", story)
        story.text_hash = text_hash(story.text)
        if (print_ := fingerprint(story.text)) is not None:
            story.fingerprint = f"{print_:016x}"
        self.count("ok", story)
        return story
