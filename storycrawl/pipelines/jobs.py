"""jobs: reject job postings by rule before anything costly (labels.md, is_job_posting).

Job-board hosts, schema.org JobPosting, hiring-thread titles, or several job-ad phrases in an
ad's structure. A story that only ends with "we're hiring" passes.
"""

from __future__ import annotations

from storycrawl.classify import rules
from storycrawl.exceptions import JobPosting
from storycrawl.items import StoryItem
from storycrawl.pipelines import StoryPipeline, document_of


class JobPostingPipeline(StoryPipeline):
    stage = "jobs"

    def process_item(self, item: StoryItem) -> StoryItem:
        decision = rules.job_posting(document_of(item))
        if decision.value:
            item.is_job_posting = True
            item.confidence = decision.confidence
            item.evidence = decision.evidence
            self.count("job_posting", item)
            raise JobPosting(
                f"{item.url}: job posting ({decision.evidence})", evidence=decision.evidence
            )
        item.is_job_posting = False
        self.count("not_job", item)
        return item
