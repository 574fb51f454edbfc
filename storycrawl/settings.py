"""Scrapy settings for storycrawl.

Only what differs from Scrapy's defaults is set here. Every storycrawl setting is named
`STORYCRAWL_*` and documented in the README ("Settings").
"""

from storycrawl import __version__, registry

BOT_NAME = "storycrawl"
SPIDER_MODULES = ["storycrawl.spiders"]
NEWSPIDER_MODULE = "storycrawl.spiders"
COMMANDS_MODULE = "storycrawl.commands"

# --- storycrawl -------------------------------------------------------------------------
# Values read through storycrawl.config take the Scrapy setting when it is set at all (here,
# -s, a spider's; set empty, it means none), else the replayed recording's, else the environment
# variable of the same name, else the default. Not set here, so the environment can give them:
#   STORYCRAWL_DB       SQLite file the crawl writes and `scrapy report` reads (exports/storycrawl.db)
#   STORYCRAWL_SOURCES  sources file (the one shipped in the package)
#   STORYCRAWL_REPLAY   folder of recorded responses (tests/fixtures/web): every request is
#                       answered from it and nothing goes to the network
#   STORYCRAWL_NOW      the crawl's clock, ISO 8601 (real time, or the recording's when replaying)
# Who runs the crawl: appended to the User-Agent so site owners can reach you.
STORYCRAWL_CONTACT = "https://github.com/storycrawl/storycrawl"
# heuristic (offline), llm, or auto (llm when OPENAI_API_KEY or OPENAI_BASE_URL is set).
STORYCRAWL_CLASSIFIER = "heuristic"
# Longest pause a Retry-After or rate-limit reset header may impose before we give up.
STORYCRAWL_RETRY_AFTER_MAX = 300
# Links from posts never reach loopback, private or link-local addresses (storycrawl.netguard),
# except the origins the crawl starts from and these hosts ("host" or "host:port"; "*": all).
STORYCRAWL_ALLOW_PRIVATE_HOSTS: list[str] = []
# Read a site's home page once per host to tell a company from a person (source type);
# kept in the host_profiles table and read again after this many days.
STORYCRAWL_HOME_PAGES = True
STORYCRAWL_HOME_PAGE_MAX_AGE_DAYS = 90

ADDONS = {"storycrawl.addons.StorycrawlAddon": 0}

# --- pages that need JavaScript ----------------------------------------------------------
# Debian's Chromium (never a browser download). scrapy-playwright's handler is enabled by the
# spiders that may render pages (`urls`, `all`); only requests that ask for it use the browser.
STORYCRAWL_CHROMIUM = "/usr/bin/chromium"
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {"headless": True}  # executable_path and flags: storycrawl.browser
PLAYWRIGHT_ABORT_REQUEST = "storycrawl.browser.abort_request"
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000

# --- politeness ---------------------------------------------------------------------------
# The User-Agent is finished by the addon: "storycrawl/<version> (+<contact>)".
USER_AGENT = f"storycrawl/{__version__}"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
# A page or API answer is a few hundred KB; past 8 MB (after decompression: a gzip bomb) the
# download is cut and the article recorded as fetch_failed. Scrapy's default is 1 GiB.
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
# The telnet console listens on a port and logs its password: not wanted on a crawler.
TELNETCONSOLE_ENABLED = False
# API rate limits (shared guide sources.md §9), as the least delay between requests per host:
# each source's, from the source registry.
DOWNLOAD_SLOTS = registry.download_slots()
# lobste.rs asks bots not to crawl (robots.txt); True opts in to crawling it anyway, slowly.
STORYCRAWL_LOBSTERS_IGNORE_ROBOTS = False
RETRY_TIMES = 3
DOWNLOADER_MIDDLEWARES = {
    # Before RobotsTxtMiddleware (100): a refused host is not even asked for its robots.txt.
    "storycrawl.netguard.PrivateNetworkGuard": 50,
    # robots.txt that can't be read (5xx, offline) means "don't crawl" (RFC 9309), not "crawl all".
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "storycrawl.middlewares.StrictRobotsTxtMiddleware": 100,
    # Runs its process_response before RetryMiddleware (550): 429/503 with Retry-After are
    # retried after the pause the server asked for; without the header, Scrapy's retry acts.
    "storycrawl.middlewares.RetryAfterMiddleware": 560,
}

# --- items --------------------------------------------------------------------------------
# Cheapest first, gaps of 100 so a stage can be inserted without renumbering.
ITEM_PIPELINES = {
    "storycrawl.pipelines.normalize.NormalizePipeline": 100,
    "storycrawl.pipelines.dedup.DedupPipeline": 200,
    "storycrawl.pipelines.jobs.JobPostingPipeline": 300,
    "storycrawl.pipelines.source_type.SourceTypePipeline": 400,
    "storycrawl.pipelines.classify.ClassifyPipeline": 500,
    "storycrawl.pipelines.store.StorePipeline": 600,
    "storycrawl.pipelines.include.IncludePipeline": 700,
}
EXTENSIONS = {
    # Before CrawlRecorder: its closing summary and verdict go into the run's stored stats.
    "storycrawl.health.CrawlHealth": 400,
    "storycrawl.extensions.CrawlRecorder": 500,
}
FEED_EXPORT_ENCODING = "utf-8"
# CSV feed exports (-O x.csv) neutralise spreadsheet formulas and control characters.
FEED_EXPORTERS = {"csv": "storycrawl.report.exports.SafeCsvItemExporter"}

# Dropped items are expected decisions, logged at INFO by URL and reason (the full decision
# is in the rejections table), not as warnings with the whole article in them.
LOG_LEVEL = "INFO"
LOG_FORMATTER = "storycrawl.logformatter.StoryLogFormatter"
