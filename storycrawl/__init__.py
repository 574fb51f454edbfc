"""storycrawl: first-hand stories by AI engineers, crawled, classified and reported."""

__version__ = "0.1.0"
