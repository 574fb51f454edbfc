"""Source type (labels.md) on small hand-made pages and URLs: each signal on its own."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from storycrawl.classify.base import Document
from storycrawl.classify.rules import Decision
from storycrawl.classify.site_cues import HOST_CUES, PATH_CUES, TEXT_CUES
from storycrawl.classify.source_type import source_type
from tests.utils import ROOT

STORY = (
    "We rebuilt the retrieval layer of our support bot this spring. I spent two weeks on chunking and we "
    "wrote evals with an LLM-as-judge; we shipped it in May and hallucinated answers halved. "
)


@pytest.mark.parametrize(
    ("url", "hints", "text", "expected"),
    [
        ("https://news.ycombinator.com/item?id=1", {}, STORY, "social"),
        ("https://hachyderm.io/@dev/115001234567890123", {}, STORY, "social"),
        ("https://engineering.acme.com/rag", {}, STORY, "company"),
        ("https://janedoe.dev/posts/rag", {}, STORY, "personal"),
        ("https://jane.medium.com/rag-1a2b3c4d5e6f", {}, STORY, "personal"),
        ("https://medium.com/acme-engineering/rag-1a2b3c4d5e6f", {}, STORY, "company"),
        ("https://dev.to/acme/rag-1a2b", {"organization": "Acme"}, STORY, "company"),
        ("https://thelatentbuffer.example/p/structured-outputs", {}, STORY, "personal"),
        ("https://www.vectorhold.io/blog/rag", {}, STORY, "company"),
        ("https://www.indiehackers.com/post/our-llm-bill-1a2b3c", {}, STORY, "social"),
        ("https://northwind.example/solutions/document-processing-llm", {}, STORY, "company"),
        ("https://northwind.example/insights/ship-an-llm-feature/", {}, STORY, "company"),
        ("https://brightpathtechnology.example/blog-agents.html", {}, STORY, "company"),
        (
            "https://www.techwire-news.com/2026/agents",
            {},
            "The startup raised $40M, the company said on Tuesday.",
            "company",
        ),
        (
            "https://example.org/x",
            {"source_type": "company", "source_type_reason": "declared"},
            STORY,
            "company",
        ),
    ],
)
def test_source_types(url, hints, text, expected):
    decision = source_type(Document(url=url, title="t", text=text, hints=hints))
    assert decision.value == expected, decision.evidence


# "I" in an engineer's post: the site still decides.
I_STORY = (
    "I spent a week on our retrieval evals. I wrote the judge prompts myself and I measured "
    "recall before and after; I think the biggest win was chunking by heading. "
)


@pytest.mark.parametrize(
    "url",
    [
        "https://blog.quillpost.com/2026/03/how-i-cut-our-token-bill",
        "https://docs.tallyloop.dev/blogs/agent-retries",
        "https://www.modelworks.example/index/structured-outputs-in-the-api",
        "https://engineering.parcelwise.example/rag-evals",
        "https://www.ironquillsecurity.example/blog/llm-fuzzing-notes",
        "https://vectorhold.io/blog/what-i-learned-shipping-hybrid-search",
        "https://openteams.example/what-i-learned-running-a-local-model",
        "https://acme-labs.github.io/engineering-blog/posts/rag-part-1/",
        "https://acme.github.io/quillkit/blog/2026/01/02/why-quillkit-checks-itself",
        "https://dev.to/saltreef-eng/how-we-test-prompts-1a2b",
    ],
)
def test_an_i_in_the_post_does_not_make_a_company_blog_personal(url):
    decision = source_type(Document(url=url, title="t", text=I_STORY))
    assert decision.value == "company", decision.evidence


@pytest.mark.parametrize(
    ("url", "author"),
    [
        ("https://blog.femiokafor.example/token-budgets", None),
        ("https://quietbyte.example/posts/my-rag-bot", "Lena Brandt"),
        ("https://lenabrandt.io/notes/agents", None),
        ("https://tomas.page/agent-loops", None),
        ("https://jdoe-94.github.io/2026/02/11/evals.html", None),
        ("https://jane-portfolio.vercel.app/blog/post1/", None),
        ("https://stackwise.example/posts/homelab-agent", None),
    ],
)
def test_a_person_behind_a_product_like_domain_is_personal(url, author):
    text = I_STORY + ("My homelab runs the agent at night." if "stackwise" in url else "")
    decision = source_type(Document(url=url, title="t", text=text, author=author))
    assert decision.value == "personal", decision.evidence


@pytest.mark.parametrize(
    "url",
    [
        "https://reddit.archivebox.example/posts/1ab2cd/snapshots/2026-05-01",
        "https://redlib.example.net/r/LocalLLaMA/comments/1ab2cd/agents_in_prod/",
        "https://hn.mirror.example/item?id=46500001",
        "https://hackernews.reader.example/item/46500001",
        "https://forum.agentkit.example/t/tool-calls-loop/1234",
    ],
)
def test_forum_and_mirror_hosts_of_threads_are_social(url):
    decision = source_type(Document(url=url, title="t", text=I_STORY))
    assert decision.value == "social", decision.evidence


def test_page_metadata_a_person_publisher_and_a_site_named_after_its_author():
    person = Document(
        url="https://tallyloop.ai/blog/x", text=STORY, hints={"publisher_type": "Person"}
    )
    assert source_type(person).value == "personal"
    named = Document(
        url="https://quillsec.io/x",
        text=STORY,
        author="Mara Quint",
        hints={"site_name": "Mara Quint's notes"},
    )
    decision = source_type(named)
    assert decision.value == "personal" and "named after its author" in decision.evidence


def test_text_cues_of_an_organisation_and_of_a_person():
    vendor = I_STORY + "Get started free — no credit card required. Book a demo."
    decision = source_type(Document(url="https://quietbyte.example/agent-routing", text=vendor))
    assert decision.value == "company" and "sales_call_to_action" in decision.evidence
    person = I_STORY + "I run all of this in my homelab; views are my own."
    decision = source_type(Document(url="https://quietbyte.example/agent-routing", text=person))
    assert decision.value == "personal" and "own_life" in decision.evidence


def test_a_home_page_verdict_outranks_url_cues_but_not_the_page_metadata():
    home = Decision("company", 0.85, "home page: pricing, careers")
    doc = Document(url="https://quietbyte.example/posts/x", text=I_STORY)
    assert source_type(doc, home) is home
    person = Document(url=doc.url, text=I_STORY, hints={"publisher_type": "Person"})
    assert source_type(person, home).value == "personal"
    declared = Document(url=doc.url, text=I_STORY, hints={"source_type": "personal"})
    assert source_type(declared, home).value == "personal"


@pytest.mark.parametrize("table", [HOST_CUES, PATH_CUES, TEXT_CUES])
def test_each_cue_matches_its_examples(table):
    for cue in table:
        assert cue.examples, cue.name
        for example in cue.examples:
            assert cue.pattern.search(example), (cue.name, example)


def _shared_data() -> Path | None:
    """The maintainers' labelled real pages (../shared beside the repository, or beside the
    worktrees folder): for measuring only, never copied into the project."""
    for base in (ROOT.parent, ROOT.parent.parent):
        folder = base / "shared" / "guide" / "data"
        if folder.is_dir():
            return folder
    return None


# Measured on 2026-12-03 (URL and text only): realtext-dev 0.942, dev 0.857. A floor against
# regressions a little under that, not a target to tune to.
SHARED_FLOORS = {"realtext-dev.jsonl": 0.92, "dev.jsonl": 0.83}


@pytest.mark.parametrize("name", sorted(SHARED_FLOORS))
def test_source_type_on_the_maintainers_real_pages(name):
    folder = _shared_data()
    if folder is None or not (folder / name).is_file():
        pytest.skip("../shared/guide/data is not here")
    rows = [json.loads(line) for line in (folder / name).read_text().splitlines() if line.strip()]
    right = Counter()
    for row in rows:
        doc = Document(url=row["url"], title=row.get("title") or "", text=row["text"])
        right[source_type(doc).value == row["source_type"]] += 1
    accuracy = right[True] / len(rows)
    assert accuracy >= SHARED_FLOORS[name], f"{name}: source type {accuracy:.3f}"
