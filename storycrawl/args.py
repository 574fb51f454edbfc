"""Spider arguments (`-a since=2026-01-01 -a limit=200 -a query="RAG"`), validated.

Scrapy hands `-a` values over as strings; these models turn them into typed values or refuse
them with a message that names the argument, before the crawl starts.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

DEFAULT_WINDOW_DAYS = 365


class ArgumentError(ValueError):
    """A spider argument is invalid; the message names it and says what is expected."""


class StorySpiderArgs(BaseModel):
    """Arguments every storycrawl spider takes."""

    model_config = ConfigDict(extra="forbid")

    since: date | None = Field(
        None, description="oldest publication date to collect (YYYY-MM-DD); default: 365 days ago"
    )
    limit: int | None = Field(None, gt=0, description="most candidates to take from each source")
    query: str | None = Field(
        None, min_length=1, description="search this instead of the configured queries"
    )

    @field_validator("since", mode="before")
    @classmethod
    def _strict_date(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(f"expected a date as YYYY-MM-DD, got {value!r}") from None
        return value

    @field_validator("limit", mode="before")
    @classmethod
    def _int(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                raise ValueError(f"expected a whole number, got {value!r}") from None
        return value

    @field_validator("query", mode="before")
    @classmethod
    def _stripped(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    def since_or_default(self, now: datetime) -> date:
        return self.since or (now - timedelta(days=DEFAULT_WINDOW_DAYS)).date()


def parse_spider_args(
    model: type[StorySpiderArgs], raw: dict[str, object], now: datetime
) -> StorySpiderArgs:
    """Validate raw `-a` values; raise ArgumentError naming each bad argument."""
    # scrapyd adds `_job`; private names are the scheduler's, not ours. Anything else unknown
    # is a typo and refused.
    ours = {k: v for k, v in raw.items() if not k.startswith("_")}
    try:
        args = model.model_validate(ours)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = ".".join(str(p) for p in error["loc"])
            if error["type"] == "extra_forbidden":
                allowed = ", ".join(sorted(model.model_fields))
                problems.append(f"unknown spider argument {name!r} (arguments: {allowed})")
            else:
                message = error["msg"].removeprefix("Value error, ")
                problems.append(f"invalid spider argument {name}={error.get('input')!r}: {message}")
        raise ArgumentError("; ".join(problems)) from None
    if args.since and args.since > now.date():
        raise ArgumentError(
            f"invalid spider argument since={args.since.isoformat()!r}: it is in the future"
        )
    return args


class UrlFileArgs(StorySpiderArgs):
    """Arguments of spiders that read a file of URLs (`urls`, `all`)."""

    file: Path | None = Field(None, description="a file of URLs, one a line (see the README)")

    @field_validator("file", mode="before")
    @classmethod
    def _existing_file(cls, value: object) -> object:
        if isinstance(value, str):
            path = Path(value.strip()).expanduser()
            if not path.is_file():
                raise ValueError(f"no such file: {value!r}")
            return path
        return value
