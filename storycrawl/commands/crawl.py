"""`scrapy crawl`: Scrapy's own command, with storycrawl's checks first.

A bad `-a` value, a bad sources file or an unusable classifier setting stops the crawl before it starts, with a one-line
message that names the culprit (exit code 2), instead of a traceback from inside the engine. A crawl
in which no source could be reached exits with status 1 (storycrawl.health).
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from storycrawl.args import ArgumentError
from storycrawl.classify.base import ClassifierError
from storycrawl.classify.llm_config import LlmConfig, LlmConfigError
from storycrawl.config import ConfigError, StorycrawlConfig
from storycrawl.health import crawl_unreachable
from storycrawl.sources import SourcesError


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) == 1 and self.crawler_process is not None:
            try:
                spidercls = self.crawler_process.spider_loader.load(args[0])
            except KeyError:
                raise UsageError(
                    f"no spider named {args[0]!r} (see `scrapy list`)", print_help=False
                ) from None
            validate = getattr(spidercls, "validate_arguments", None)
            if validate is not None:
                try:
                    validate(self.settings, opts.spargs)
                    check_classifier(self.settings)
                except (ArgumentError, SourcesError, ClassifierError, ConfigError) as exc:
                    raise UsageError(str(exc), print_help=False) from None
        super().run(args, opts)
        crawler = getattr(self, "crawler", None)
        if crawler is not None and crawler.stats and crawl_unreachable(crawler.stats.get_stats()):
            self.exitcode = 1
            print("storycrawl: no source could be reached; nothing was crawled", file=sys.stderr)

    def _create_crawler(self, spidercls):
        # Kept to read the crawl's verdict once it is over.
        self.crawler = super()._create_crawler(spidercls)
        return self.crawler


def check_classifier(settings) -> None:
    """STORYCRAWL_CLASSIFIER names a classifier, and the LLM one is configured if asked for."""
    name = StorycrawlConfig.from_settings(settings).classifier  # ConfigError names a bad one
    if name == "llm" or (name == "auto" and LlmConfig.configured(settings)):
        try:
            LlmConfig.from_settings(settings)
        except LlmConfigError as exc:
            raise ClassifierError(str(exc)) from None
