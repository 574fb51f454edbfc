"""Why an item leaves the pipeline: one DropItem subclass per reason.

Scrapy counts drops per class (`item_dropped_reasons_count/<Class>`); storycrawl also records
each one in the `rejections` table with its stage, reason and evidence (see
`storycrawl.extensions.CrawlRecorder`). Drops are expected decisions, logged at INFO.
"""

from __future__ import annotations

from scrapy.exceptions import DropItem


class Rejected(DropItem):
    """A candidate that is not a story for the report, and why."""

    stage = "pipeline"
    reason = "rejected"
    #: False for drops that are not decisions about the story (it is already stored).
    recorded = True

    def __init__(
        self,
        message: str,
        *,
        evidence: str = "",
        detail: str | None = None,
        log_level: str = "INFO",
    ):
        super().__init__(message, log_level=log_level)
        self.evidence = evidence
        self.detail = detail

    @property
    def reason_key(self) -> str:
        """The reason with its detail, e.g. `role:ml_engineer`."""
        return f"{self.reason}:{self.detail}" if self.detail else self.reason


class InvalidStory(Rejected):
    """The item does not validate (no URL, a malformed field)."""

    stage = "normalize"
    reason = "invalid"


class FetchFailed(Rejected):
    """The page could not be fetched or read: 404, not HTML, no text in it."""

    stage = "fetch"
    reason = "fetch_failed"


class TooShort(Rejected):
    """Read fine, but too little text to judge (a title-only post, a one-line toot)."""

    stage = "normalize"
    reason = "too_short"


class DuplicateStory(Rejected):
    """Same canonical URL (or same text) as a story already collected: merged into it."""

    stage = "dedup"
    reason = "duplicate"


class AlreadyStored(Rejected):
    """Reached again in a later crawl: its discussions were merged, nothing else changes."""

    stage = "dedup"
    reason = "already_stored"
    recorded = False

    def __init__(self, message: str, **kwargs):
        kwargs.setdefault("log_level", "DEBUG")
        super().__init__(message, **kwargs)


class JobPosting(Rejected):
    """A job ad, hiring thread, careers or job-board page (labels.md)."""

    stage = "jobs"
    reason = "job_posting"


class NotAIEngineer(Rejected):
    """Written by someone whose work is not AI engineering; detail names the role."""

    stage = "include"
    reason = "role"


class NotFirstHand(Rejected):
    """Not the author's own account: explainer, news, listicle, vendor or course page."""

    stage = "include"
    reason = "not_first_hand"


def exclusion(role: str | None, is_first_hand: bool | None) -> type[Rejected]:
    """Why a classified story that is not included is left out: a non-AI role when it is the
    author's own account, else not first-hand (an explainer is that, whoever wrote it)."""
    return NotAIEngineer if is_first_hand and role != "ai_engineer" else NotFirstHand


class OutOfRange(Rejected):
    """Published before the crawl's `since` (an old article shared recently)."""

    stage = "normalize"
    reason = "out_of_range"
