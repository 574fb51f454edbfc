"""storycrawl's spiders: one per source, and `all` for every enabled source in one crawl."""
