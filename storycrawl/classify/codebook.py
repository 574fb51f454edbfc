"""The codebook: what AI engineers' stories are about, as fixed codes.

One list shared by the heuristic coder (the cues below), the LLM prompt (the code names and
labels) and the report (counts, shares and quotes of included stories per code). Its coverage
is measured on a labelled sample of stories (tests/data/codebook/sample.jsonl, scored by
tests/test_report_codebook.py).

Cheap by construction: every cue of every code is one alternative of a single compiled regex,
run once over the text. A match is mapped to its codes by which cue fragments it fully matches,
memoised by the matched words. Two kinds of span are consumed first and count for no code:
quoted speech (a user's question quoted in a story is not the author's work) and credentials
called tokens ("OAuth tokens" are not LLM tokens).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Code:
    key: str
    label: str
    cues: tuple[str, ...]  # regex fragments, matched case-insensitively on word boundaries

    @property
    def pattern(self) -> re.Pattern[str]:
        return _code_pattern(self)


def _code(key: str, label: str, *cues: str) -> Code:
    return Code(key, label, cues)


# Core responsibilities: the kinds of systems AI engineers build and own.
RESPONSIBILITIES: tuple[Code, ...] = (
    _code(
        "rag",
        "RAG and retrieval",
        r"!RAG",
        r"retrieval",
        r"retriev(?:e|ed|es|ing|er)",
        r"embeddings?",
        r"embedding models?",
        r"vector (?:db|database|store|search|index)",
        r"rerank(?:er|ers|ing)?",
        r"!cross-encoder",
        r"chunk(?:s|ing)?",
        r"!hybrid search",
        r"!semantic search",
        r"BM25",
        r"!pgvector",
        r"pinecone",
        r"qdrant",
        r"weaviate",
        r"chroma",
        r"faiss",
        r"top (?:five|ten|\d+) (?:results|chunks|documents)",
        r"!semantic cache",
    ),
    _code(
        "agents",
        "Agents and tool calling",
        r"(?:our|the|an|my|this|browsing|research|scheduling|coding|IT helpdesk|helpdesk) agents?",
        r"!agentic",
        r"agent(?:'s)? (?:loop|benchmark|traces?|runs?|calls|plans)",
        r"!tool[- ]call(?:s|ing)?",
        r"tool[- ]use",
        r"!function[- ]call(?:s|ing)?",
        r"(?:calls|calling|call) (?:about )?(?:\w+ )?(?:tools|functions)",
        r"tool descriptions?",
        r"tool definitions?",
        r"tool choices?",
        r"!MCP",
        r"model context protocol",
        r"!multi-agent",
        r"planner",
        r"orchestrat\w*",
        r"langgraph",
        r"!loop guard",
    ),
    _code(
        "evals",
        "Evals and quality",
        r"!evals?",
        r"!eval (?:set|suite|harness)",
        r"evaluations?",
        r"!llm[- ]as[- ]a?[- ]?judge",
        r"!judge(?: model)?",
        r"!rubric",
        r"!golden (?:set|dataset)",
        r"regression (?:suite|tests?)",
        r"!error analysis",
        r"!test (?:set|conversations|questions|cases)",
        r"held-out",
        r"(?:human|graded) labels",
        r"!benchmark",
        r"ragas",
        r"promptfoo",
        r"braintrust",
        r"pass rate",
        r"!adversarial prompts",
        r"A/B test",
        r"blind review",
        r"grade(?:d)? (?:them )?blind",
    ),
    _code(
        "prompts",
        "Prompt and context engineering",
        r"prompts?",
        r"prompting",
        r"!system prompt",
        r"!context (?:engineering|window)",
        r"!few[- ]shot",
        r"!prompt engineering",
        r"instructions?",
        r"what goes into the context",
    ),
    _code(
        "latency_cost",
        "Latency, cost and caching",
        r"!latency",
        r"!time to first token",
        r"TTFT",
        r"p50",
        r"p95",
        r"p99",
        r"(?:input |output )?token (?:cost|spend|usage|budget|bill)",
        r"tokens per \w+",
        r"(?:cut|reduc\w*|lower\w*) (?:its |our |the )?tokens",
        r"cost(?:s)? per \w+",
        r"cost (?:us|dropped|fell)",
        r"(?:our|monthly|API|OpenAI|the) (?:bill|spend)",
        r"spend fell",
        r"cheaper model",
        r"costs? almost nothing",
        r"!prompt caching",
        r"cach(?:e|ed|ing) (?:hit|hits|the|answer|serves)",
        r"!cache hit rate",
        r"semantic cache",
        r"throughput",
        r"\$\d[\d,.]*k? a month",
        r"batch API",
        r"cost in half",
        r"for cost reasons",
    ),
    _code(
        "guardrails",
        "Guardrails and safety",
        r"!guardrails?",
        r"!prompt injection",
        r"!jailbreak\w*",
        r"content filter",
        r"!moderation",
        r"PII",
        r"!red[- ]team\w*",
        r"!hallucinat\w*",
        r"invented (?:answers|case|features)",
        r"unsupported claims",
        r"hard refusal",
        r"(?:breaks|broke) policy",
        r"adversarial",
        r"permission checks",
        r"validator",
        r"business rules",
        r"blocked topics",
        r"confirmation step",
        r"input filter",
        r"never see another",
    ),
    _code(
        "structured_output",
        "Structured outputs and extraction",
        r"!structured output",
        r"!json (?:mode|schema)",
        r"!strict (?:json )?schema",
        r"!pydantic",
        r"instructor",
        r"schema",
        r"extract(?:s|ed|ing|ion)? (?:fields|data|entities|medication)",
        r"extraction(?: model| pipeline)?",
        r"function schema",
        r"as JSON",
        r"into JSON",
    ),
    _code(
        "observability",
        "LLM observability and tracing",
        r"!observability",
        r"!tracing",
        r"traces?",
        r"!langsmith",
        r"!langfuse",
        r"arize",
        r"phoenix",
        r"!opentelemetry",
        r"spans?",
        r"tagged every call",
        r"log(?:ged)? every",
        r"dashboard of (?:cost|tokens|latency)",
    ),
    _code(
        "serving",
        "Serving and routing models",
        r"!vLLM",
        r"!ollama",
        r"!llama\.cpp",
        r"TGI",
        r"!self[- ]host\w*",
        r"open[- ]weights?",
        r"model rout\w*",
        r"router",
        r"fallback",
        r"!quantiz\w*",
        r"!inference server",
        r"serv(?:e|ed|es|ing) (?:one |a )?(?:base )?model",
        r"served (?:on|with)",
        r"GPUs?",
        r"L40S",
        r"H100s?",
        r"A100s?",
        r"continuous batching",
        r"run locally",
        r"route",
    ),
    _code(
        "fine_tuning",
        "Fine-tuning for a product",
        r"!fine[- ]?tun\w*",
        r"!LoRA",
        r"!distill\w*",
        r"!SFT",
        r"!DPO",
        r"adapters?",
        r"preference pairs",
        r"trained (?:the|a|our) (?:small )?(?:model|adapters?)",
    ),
    _code(
        "data_pipelines",
        "Document and data pipelines",
        r"!ingestion",
        r"pars(?:e|ing) (?:pdfs?|documents|them)",
        r"PDFs?",
        r"document pipeline",
        r"ETL",
        r"data pipeline",
        r"!scrap(?:e|er|ing)",
        r"!OCR",
        r"scans?",
        r"scanned",
        r"layout (?:detection|model)",
        r"!table extraction",
        r"converts? each",
        r"as clean text",
        r"reprocessed",
    ),
)

# Daily activities: what the work looks like day to day.
ACTIVITIES: tuple[Code, ...] = (
    _code(
        "debugging",
        "Debugging model and pipeline failures",
        r"debug\w*",
        r"root cause",
        r"traced (?:it|each)",
        r"dug into",
        r"postmortem",
        r"post-mortem",
        r"incident",
        r"bug",
        r"found (?:the|that)",
        r"the (?:culprit|failure|fix)",
        r"broke",
        r"failures were",
        r"was wrong",
        r"were wrong",
        r"kept (?:choosing|quoting|calling)",
        r"fell over",
        r"profiled",
        r"crowd(?:ing|ed) out",
        r"the fix",
    ),
    _code(
        "error_analysis",
        "Reading traces and outputs (error analysis)",
        r"error analysis",
        r"read(?:ing)? (?:every|the|them|it|each|twenty|fifty|\d+)",
        r"(?:went|going) through",
        r"look(?:ing)? at (?:the )?(?:data|outputs|traces)",
        r"label(?:led|ed)? \d+",
        r"tagged every one",
        r"sort each failure",
        r"categor(?:y|ies)",
        r"annotat\w*",
        r"read it step by step",
        r"traces in bulk",
        r"I read",
    ),
    _code(
        "prompt_iteration",
        "Writing and iterating on prompts",
        r"(?:iterat|tweak|rewr[io]t|chang|edit|tri)\w* (?:on |to |all )?(?:the |our |my |its |that )?(?:prompts?|instructions?|tool descriptions)",
        r"prompt (?:iteration|changes?|versions?)",
        r"iterate on prompts",
        r"iteration",
        r"(?:five|four|eleven|\d+) (?:versions|rounds|times)",
        r"rounds of edits",
        r"rewrote (?:it|the|all)",
        r"the instruction",
        r"I changed the",
    ),
    _code(
        "running_evals",
        "Running evals before shipping",
        r"run(?:s|ning)? (?:it |them |both )?(?:against|through)",
        r"re-ran",
        r"reran",
        r"(?:ran|run|runs|running) (?:the |our |an? )?(?:evals?|benchmarks?|agent benchmark)",
        r"eval (?:suite|harness|runs?|set)",
        r"offline eval",
        r"online eval",
        r"a/b test\w*",
        r"before (?:it merges|switching|each|every release|it went out)",
        r"every (?:release|change|context change)",
        r"compared (?:the )?(?:tuned|both)",
        r"checked on",
        r"held-out",
        r"release candidate",
        r"cannot merge",
    ),
    _code(
        "model_selection",
        "Trying and comparing models",
        r"(?:switch|swap|migrat|mov)\w* (?:from|to) (?:the )?(?:gpt|claude|gemini|llama|mistral|qwen|deepseek|an? (?:open|smaller|cheaper|new) model|it|the new one)",
        r"compar\w+ (?:both|the two|four|two|\w+) (?:models|paths)",
        r"compared (?:it|both|four)",
        r"benchmarked (?:it|models)",
        r"new model (?:release|came out)",
        r"model (?:selection|choice|upgrade)",
        r"(?:against|versus|vs\.?) (?:gpt|claude|gemini|our current one)",
        r"leaderboards?",
        r"tried a longer prompt",
        r"moved from GPT",
    ),
    _code(
        "optimizing",
        "Cutting latency and cost",
        r"(?:cut|reduc|lower|halv|optimi[sz]|fell|drop)\w* (?:by |from |the |our |its |their |median |to )?(?:latency|cost|tokens|spend|bill|\$|two thirds|a third|85|40|half|under)",
        r"cost (?:per|breakdown|dropped)",
        r"cheaper model",
        r"cost in half",
        r"brought the median down",
        r"removed a third",
        r"spend fell",
        r"(?:from|to) \d[\d.]* ?m?s\b",
        r"cost and latency work",
    ),
    _code(
        "shipping",
        "Shipping to production",
        r"ship(?:s|ped|ping)?",
        r"in production",
        r"deploy(?:ed|ing|ment)?",
        r"roll(?:ed)? (?:it )?out",
        r"launch(?:ed)?",
        r"went live",
        r"goes live",
        r"release ships",
        r"signed off",
    ),
    _code(
        "building_pipelines",
        "Building ingestion and retrieval pipelines",
        r"(?:built|build|building|rebuilt|wrote|set up)\w* (?:a |an |the |our )?(?:\w+ )?(?:pipeline|ingestion|data job|scraper|separate path|path)",
        r"ingestion (?:pipeline|job)",
        r"index(?:ed|ing|es) (?:it|documents|docs|everything)",
        r"retrains? it",
        r"exports new",
    ),
    _code(
        "stakeholders",
        "Working with users and domain experts",
        r"domain experts?",
        r"subject[- ]matter experts?",
        r"clinicians",
        r"lawyers",
        r"pharmacists",
        r"supervisors",
        r"copywriters",
        r"support (?:team|leads)",
        r"(?:sales|product|marketing|finance|HR|people|trust and safety) team",
        r"(?:talk|spoke|work|sat|session)\w* (?:with|to) (?:the |our |two |three |four |five )?(?:users|customers|support|stakeholders|product|sales|people|them)",
        r"user feedback",
        r"their feedback",
        r"feedback changed",
        r"product managers?",
        r"people from (?:HR|our)",
    ),
    _code(
        "monitoring",
        "Monitoring and on-call",
        r"monitor\w*",
        r"on[- ]call",
        r"alerts?",
        r"alerting",
        r"dashboards?",
        r"drift\w*",
        r"paged",
        r"health report",
        r"watch (?:a|those|the)",
        r"check the (?:dashboard|drift)",
    ),
)

# Tools named in stories: canonical name -> pattern.
TOOLS: dict[str, str] = {
    "OpenAI API": r"openai|gpt-?(?:3\.5|4o?|4\.1|5)[\w.-]*|o[134](?:-mini)?",
    "Anthropic Claude": r"claude(?! code)|anthropic|sonnet|haiku|opus",
    "Claude Code": r"claude code",
    "Google Gemini": r"gemini",
    "Llama": r"llama[- ]?\d[\w.]*|llama(?!\.cpp|[- ]?index)",
    "Mistral": r"mistral|mixtral",
    "Qwen": r"qwen[\w.]*",
    "DeepSeek": r"deepseek[\w-]*",
    "LangChain": r"langchain",
    "LangGraph": r"langgraph",
    "LlamaIndex": r"llama[- ]?index",
    "DSPy": r"dspy",
    "Pydantic": r"pydantic",
    "vLLM": r"vllm",
    "Ollama": r"ollama",
    "llama.cpp": r"llama\.cpp",
    "Hugging Face": r"hugging ?face|TGI",
    "pgvector": r"pgvector",
    "Pinecone": r"pinecone",
    "Qdrant": r"qdrant",
    "Weaviate": r"weaviate",
    "Chroma": r"chroma(?:db)?",
    "Elasticsearch/OpenSearch": r"elasticsearch|opensearch",
    "FAISS": r"faiss",
    "Redis": r"redis",
    "Postgres": r"postgres(?:ql)?",
    "LangSmith": r"langsmith",
    "Langfuse": r"langfuse",
    "Arize Phoenix": r"arize",
    "Braintrust": r"braintrust",
    "Ragas": r"ragas",
    "promptfoo": r"promptfoo",
    "OpenTelemetry": r"opentelemetry|otel",
    "MCP": r"MCP|model context protocol",
    "FastAPI": r"fastapi",
    "AWS Bedrock": r"bedrock",
    "Azure OpenAI": r"azure openai",
    "Vertex AI": r"vertex ai",
    "Weights & Biases": r"weights (?:&|and) biases|wandb",
}

# Consumed before any cue, and coded as nothing: quoted speech, and credentials called tokens.
_NEUTRAL = (
    r"“[^”\n]{1,400}”",
    r"\"[^\"\n]{1,400}\"",
    r"‘[^’\n]{1,300}’",
    r"(?<![\w'])'[^'\n]{1,200}'(?![\w'])",
    r"(?:oauth|access|refresh|api|bearer|auth|session|jwt|csrf|security|customer's oauth) tokens?",
)
_TOOL_PREFIX = "tool:"


def _fragments() -> dict[str, dict[str, int]]:
    """Each cue fragment and the codes (and tools) it stands for, with its weight: a cue
    marked `!` is specific enough to count twice (a responsibility needs a weight of two)."""
    owners: dict[str, dict[str, int]] = {}
    for code in (*RESPONSIBILITIES, *ACTIVITIES):
        for cue in code.cues:
            weight = 2 if cue.startswith("!") else 1
            owners.setdefault(cue.lstrip("!"), {})[code.key] = weight
    for name, pattern in TOOLS.items():
        owners.setdefault(pattern, {})[_TOOL_PREFIX + name] = 1
    return owners


_OWNERS = _fragments()
# Longer fragments first: at one position the regex takes the first alternative that matches,
# and the longer cue is usually the more specific one ("prompt caching" before "prompts?").
_ORDERED = sorted(_OWNERS, key=len, reverse=True)
_NEUTRAL_RE = re.compile("|".join(f"(?:{n})" for n in _NEUTRAL), re.IGNORECASE)
_SCANNER = re.compile(
    _NEUTRAL_RE.pattern + r"|\b(?:" + "|".join(f"(?:{f})" for f in _ORDERED) + r")(?![\w-])",
    re.IGNORECASE,
)
_COMPILED = [(re.compile(f, re.IGNORECASE), owners) for f, owners in _OWNERS.items()]
_PATTERNS = {
    code.key: re.compile(
        r"\b(?:" + "|".join(c.lstrip("!") for c in code.cues) + r")(?![\w-])", re.IGNORECASE
    )
    for code in (*RESPONSIBILITIES, *ACTIVITIES)
}


def _code_pattern(code: Code) -> re.Pattern[str]:
    return _PATTERNS[code.key]


Owners = tuple[tuple[str, int], ...]


@lru_cache(maxsize=8192)
def codes_of(words: str) -> Owners:
    """The codes (and `tool:` names) a matched span stands for, with their weights."""
    if _NEUTRAL_RE.fullmatch(words):
        return ()
    found: dict[str, int] = {}
    for pattern, owners in _COMPILED:
        if pattern.fullmatch(words):
            for key, weight in owners.items():
                found[key] = max(found.get(key, 0), weight)
    return tuple(sorted(found.items()))


def scan(text: str) -> list[tuple[int, int, Owners]]:
    """(start, end, codes with weights) of every cue in the text, in one pass."""
    spans = []
    for match in _SCANNER.finditer(text):
        owners = codes_of(match.group().lower())
        if owners:
            spans.append((match.start(), match.end(), owners))
    return spans


def matches(codes: tuple[Code, ...], text: str) -> list[str]:
    keys = {code.key for code in codes}
    found = {key for _, _, owners in scan(text) for key, _ in owners}
    return [code.key for code in codes if code.key in keys & found]


# Sentences: ends of sentences and line breaks.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])|\n+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of the text, stripped of surrounding space."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((start, match.start() + (len(match.group()) - len(match.group().lstrip()))))
        start = match.end()
    spans.append((start, len(text)))
    out = []
    for a, b in spans:
        piece = text[a:b]
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece.rstrip())
        if trail > lead:
            out.append((a + lead, a + trail))
    return out


MAX_CHARS = 30000
SUMMARY_LIMIT = 220


def code_story(text: str, *, min_hits: int = 1, title: str = "") -> dict:
    """Codebook keys found in a story (responsibilities need two cues, activities one), the
    tools it names, and a one-line summary: the sentence that touches most of its codes."""
    sample = text[:MAX_CHARS]
    hits: dict[str, int] = {}
    tools: list[str] = []
    spans = scan(sample)
    for _, _, owners in spans:
        for key, weight in owners:
            if key.startswith(_TOOL_PREFIX):
                name = key[len(_TOOL_PREFIX) :]
                if name not in tools:
                    tools.append(name)
            else:
                hits[key] = hits.get(key, 0) + weight
    responsibilities = [c.key for c in RESPONSIBILITIES if hits.get(c.key, 0) >= max(min_hits, 2)]
    activities = [c.key for c in ACTIVITIES if hits.get(c.key, 0) >= min_hits]
    return {
        "responsibilities": responsibilities,
        "activities": activities,
        "tools": [name for name in TOOLS if name in tools],
        "summary": summary_sentence(sample, spans, set(responsibilities) | set(activities), title),
    }


def summary_sentence(
    text: str,
    spans: list[tuple[int, int, Owners]] | None = None,
    codes: set[str] | None = None,
    title: str = "",
) -> str:
    """The sentence that says most about the story's work: the most distinct codes, first-person
    voice a plus, the opening sentence (often a hook or a date line) only when nothing beats it."""
    spans = scan(text) if spans is None else spans
    sentences = sentence_spans(text)
    if not sentences:
        return ""
    best, best_score, cursor = None, -1.0, 0
    title_key = title.strip().lower()
    for index, (start, end) in enumerate(sentences[:200]):
        sentence = text[start:end]
        words = len(sentence.split())
        if words < 7 or end - start > 400 or sentence.lower() == title_key:
            continue
        found: set[str] = set()
        while cursor < len(spans) and spans[cursor][0] < end:
            if spans[cursor][0] >= start:
                found |= {k for k, _ in spans[cursor][2] if codes is None or k in codes}
            cursor += 1
        score = len({k for k in found if not k.startswith(_TOOL_PREFIX)}) + 0.3 * len(found)
        if _FIRST_PERSON.search(sentence):
            score += 0.5
        if index == 0:
            score -= 0.6
        if score > best_score:
            best, best_score = sentence, score
    if best is None:
        return ""
    return best if len(best) <= SUMMARY_LIMIT else best[:SUMMARY_LIMIT].rsplit(" ", 1)[0] + "…"


_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I've|we|we're|we've|our|my)\b", re.IGNORECASE)


def label_of(key: str) -> str:
    for code in (*RESPONSIBILITIES, *ACTIVITIES):
        if code.key == key:
            return code.label
    return key
