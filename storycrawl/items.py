"""StoryItem: the one schema of a story, from spider to SQLite row to exported JSON/CSV.

Spiders fill it through `storycrawl.loaders.StoryLoader` (every field has a default, as
ItemLoaders need); the normalize pipeline validates it (`StoryItem.model_validate`), so a
malformed item is rejected with the field that failed, not half-stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SourceType = Literal["social", "personal", "company"]
Role = Literal[
    "ai_engineer", "ml_engineer", "data_scientist", "software_engineer", "researcher", "other"
]
ROLES: tuple[str, ...] = Role.__args__  # type: ignore[attr-defined]
SOURCE_TYPES: tuple[str, ...] = SourceType.__args__  # type: ignore[attr-defined]


class Discussion(BaseModel):
    """A thread where the story was shared or discussed (the HN item of a link post...)."""

    url: str
    site: str = Field(description="platform and community, e.g. 'hackernews', 'reddit r/LLMDevs'")
    title: str | None = None
    points: int | None = None
    comments: int | None = None
    published: datetime | None = None


class StoryItem(BaseModel):
    """A candidate story and, once classified, its labels (labels.md)."""

    model_config = ConfigDict(extra="forbid")

    # What the page is.
    url: str = Field("", description="canonical URL: https, no www., no tracking parameters")
    title: str = ""
    author: str | None = None
    published: datetime | None = Field(None, description="UTC")
    date_source: str | None = Field(
        None, description="where the date came from: api, page, feed, discussion"
    )
    source: str = Field("", description="the source that reached it: hackernews, reddit, feeds...")
    site: str | None = Field(None, description="host or community, e.g. 'r/LLMDevs', 'example.com'")
    text: str = ""
    lang: str | None = None
    discussions: list[Discussion] = Field(default_factory=list)
    fetched_at: datetime | None = None
    # Source-specific hints for the source_type and jobs stages (a feed's declared type, a
    # dev.to organisation, a schema.org JobPosting on the page); free-form but flat.
    hints: dict[str, str] = Field(default_factory=dict)
    # Set by a spider when the page could not be fetched or read: the item is recorded as a
    # rejection (fetch_failed) with this reason instead of being lost.
    fetch_error: str | None = None

    # Labels (labels.md), each decision with its confidence and evidence.
    source_type: SourceType | None = None
    source_type_evidence: str | None = None
    is_job_posting: bool | None = None
    role: Role | None = None
    is_first_hand: bool | None = None
    include: bool | None = None
    confidence: float | None = Field(None, ge=0, le=1)
    evidence: str | None = None
    classifier: str | None = None
    # Richer labels from the LLM path or the codebook (report synthesis).
    summary: str | None = None
    responsibilities: list[str] = Field(default_factory=list)
    tools: list[str] = Field(default_factory=list)
    activities: list[str] = Field(default_factory=list)
    suspicious_instructions: bool = False

    # Bookkeeping.
    text_hash: str | None = None
    fingerprint: str | None = Field(
        None, description="SimHash of the text (hex), for cross-posts under other URLs"
    )


# Columns every export carries first, in this order (JSON keys, CSV columns).
EXPORT_FIELDS = [
    "url",
    "title",
    "published",
    "source",
    "site",
    "source_type",
    "role",
    "confidence",
    "evidence",
    "author",
    "is_first_hand",
    "is_job_posting",
    "include",
    "classifier",
    "summary",
    "tools",
    "activities",
    "responsibilities",
    "discussions",
]
