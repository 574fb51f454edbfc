"""Project commands (COMMANDS_MODULE): `scrapy report`, `scrapy classify`, ... and `scrapy
crawl`, which checks spider arguments and the sources file before any request is made."""
