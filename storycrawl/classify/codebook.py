"""The codebook: what AI engineers' stories are about, as fixed codes.

One list shared by the heuristic coder (patterns below), the LLM prompt (the code names and
descriptions) and the report (counts and shares of included stories per code).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    key: str
    label: str
    pattern: re.Pattern[str]


def _code(key: str, label: str, pattern: str) -> Code:
    return Code(key, label, re.compile(pattern, re.IGNORECASE))


# Core responsibilities: the kinds of systems AI engineers build and own.
RESPONSIBILITIES: tuple[Code, ...] = (
    _code(
        "rag",
        "RAG and retrieval",
        r"\bRAG\b|retrieval|retriever|embedding|vector (?:db|database|store|search|index)|rerank|chunking|hybrid search|semantic search|pgvector|pinecone|qdrant|weaviate|chroma\b|faiss",
    ),
    _code(
        "agents",
        "Agents and tool calling",
        r"\bagent(?:s|ic)?\b|tool[- ]calling|tool[- ]use|function[- ]calling|\bMCP\b|model context protocol|multi-agent|orchestrat|langgraph",
    ),
    _code(
        "evals",
        "Evals and quality",
        r"\bevals?\b|evaluation|llm[- ]as[- ]a?[- ]?judge|golden (?:set|dataset)|regression (?:suite|tests?)|error analysis|test set|ragas|promptfoo|braintrust",
    ),
    _code(
        "prompts",
        "Prompt and context engineering",
        r"\bprompt(?:s|ing)?\b|system prompt|context (?:engineering|window)|few[- ]shot|prompt engineering",
    ),
    _code(
        "latency_cost",
        "Latency, cost and caching",
        r"latency|time to first token|\bTTFT\b|p95|p99|token (?:cost|spend|usage|budget)|\bcost(?:s)? (?:per|of|down|cut)|cheaper|caching|cache hit|prompt cach|semantic cache|throughput",
    ),
    _code(
        "guardrails",
        "Guardrails and safety",
        r"guardrail|prompt injection|jailbreak|content filter|moderation|\bPII\b|red[- ]team|hallucinat",
    ),
    _code(
        "structured_output",
        "Structured outputs and extraction",
        r"structured output|json (?:mode|schema)|pydantic|instructor\b|extraction pipeline|extract(?:ing|ion) (?:fields|data|entities)|function schema",
    ),
    _code(
        "observability",
        "LLM observability and tracing",
        r"observability|tracing|traces|langsmith|langfuse|arize|phoenix|opentelemetry|logging every (?:call|request)|dashboards? of (?:cost|latency)",
    ),
    _code(
        "serving",
        "Serving and routing models",
        r"\bvLLM\b|ollama|llama\.cpp|\bTGI\b|self[- ]host|open[- ]weights?|model rout|router|fallback model|quantiz|inference server|serving",
    ),
    _code(
        "fine_tuning", "Fine-tuning for a product", r"fine[- ]?tun|\bLoRA\b|distill|\bSFT\b|\bDPO\b"
    ),
    _code(
        "data_pipelines",
        "Document and data pipelines",
        r"ingestion|parsing (?:pdfs?|documents)|\bPDFs?\b|document pipeline|ETL|data pipeline|scrap(?:e|ing)|\bOCR\b",
    ),
)

# Daily activities: what the work looks like day to day.
ACTIVITIES: tuple[Code, ...] = (
    _code(
        "debugging",
        "Debugging model and pipeline failures",
        r"debug|root cause|broke|failure mode|postmortem|post-mortem|incident|regression\b|bug\b",
    ),
    _code(
        "error_analysis",
        "Reading traces and outputs (error analysis)",
        r"error analysis|read(?:ing)? (?:the )?(?:traces|transcripts|outputs|logs)|look(?:ing)? at (?:the )?(?:data|outputs|traces)|annotat|label(?:ing|led) (?:outputs|examples)",
    ),
    _code(
        "prompt_iteration",
        "Writing and iterating on prompts",
        r"(?:iterat|tweak|rewr[io]te|tun)\w* (?:on )?(?:the |our |my )?prompts?|prompt (?:iteration|changes|versions)|system prompt",
    ),
    _code(
        "running_evals",
        "Running evals before shipping",
        r"run(?:ning)? (?:the |our )?evals?|eval (?:suite|harness|runs?)|offline eval|online eval|a/b test(?:ing)? (?:prompts|models)|benchmark(?:ed|ing)? (?:models|prompts)",
    ),
    _code(
        "model_selection",
        "Trying and comparing models",
        r"(?:switch|swap|migrat|mov)\w* (?:from|to) (?:gpt|claude|gemini|llama|mistral|qwen|deepseek|an? (?:open|smaller|cheaper) model)|compar\w+ models|new model (?:release|came out)|model (?:selection|choice)",
    ),
    _code(
        "optimizing",
        "Cutting latency and cost",
        r"(?:cut|reduc|lower|halv|optimi[sz])\w* (?:the |our )?(?:latency|cost|tokens|spend|bill)|cost (?:per|breakdown)|cheaper model",
    ),
    _code(
        "shipping",
        "Shipping to production",
        r"\bship(?:ped|ping)?\b|in production|deploy(?:ed|ing|ment)?|roll(?:ed)? out|launch(?:ed)?|went live",
    ),
    _code(
        "building_pipelines",
        "Building ingestion and retrieval pipelines",
        r"(?:built|build|building|rebuilt|wrote)\w* (?:a |an |the |our )?(?:ingestion|retrieval|indexing|chunking|rag) (?:pipeline|layer|system)|ingestion pipeline|index(?:ed|ing) (?:documents|docs)",
    ),
    _code(
        "stakeholders",
        "Working with users and domain experts",
        r"domain experts?|(?:talk|spoke|work)\w* (?:with|to) (?:users|customers|support|stakeholders|product)|user feedback|product managers?",
    ),
    _code(
        "monitoring", "Monitoring and on-call", r"monitor|on[- ]call|alert(?:s|ing)|dashboard|drift"
    ),
)

# Tools named in stories: canonical name -> pattern.
TOOLS: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern, re.IGNORECASE)
    for name, pattern in {
        "OpenAI API": r"\bopenai\b|\bgpt-?(?:3\.5|4o?|4\.1|5)\w*|\bo[134](?:-mini)?\b",
        "Anthropic Claude": r"\bclaude\b(?! code)|\banthropic\b|\bsonnet\b|\bhaiku\b|\bopus\b",
        "Claude Code": r"\bclaude code\b",
        "Google Gemini": r"\bgemini\b",
        "Llama": r"\bllama[- ]?\d|\bllama\b(?!\.cpp|index)",
        "Mistral": r"\bmistral\b|\bmixtral\b",
        "Qwen": r"\bqwen",
        "DeepSeek": r"\bdeepseek",
        "LangChain": r"\blangchain\b",
        "LangGraph": r"\blanggraph\b",
        "LlamaIndex": r"\bllama[- ]?index\b",
        "DSPy": r"\bdspy\b",
        "Pydantic": r"\bpydantic\b",
        "Instructor": r"\binstructor\b(?= library|\)| lib|,|\.| to )",
        "vLLM": r"\bvllm\b",
        "Ollama": r"\bollama\b",
        "llama.cpp": r"\bllama\.cpp\b",
        "Hugging Face": r"hugging ?face|\bTGI\b",
        "pgvector": r"\bpgvector\b",
        "Pinecone": r"\bpinecone\b",
        "Qdrant": r"\bqdrant\b",
        "Weaviate": r"\bweaviate\b",
        "Chroma": r"\bchroma(?:db)?\b",
        "Elasticsearch/OpenSearch": r"\belasticsearch\b|\bopensearch\b",
        "FAISS": r"\bfaiss\b",
        "Redis": r"\bredis\b",
        "Postgres": r"\bpostgres(?:ql)?\b",
        "LangSmith": r"\blangsmith\b",
        "Langfuse": r"\blangfuse\b",
        "Arize Phoenix": r"\barize\b|\bphoenix\b(?= traces| tracing|,|\.)",
        "Braintrust": r"\bbraintrust\b",
        "Ragas": r"\bragas\b",
        "promptfoo": r"\bpromptfoo\b",
        "OpenTelemetry": r"\bopentelemetry\b|\botel\b",
        "MCP": r"\bMCP\b|model context protocol",
        "FastAPI": r"\bfastapi\b",
        "Temporal": r"\btemporal\b(?= workflows?|\.io| for)",
        "Modal": r"\bmodal\b(?= labs|\.com| for (?:gpu|inference)| to (?:run|serve))",
        "AWS Bedrock": r"\bbedrock\b",
        "Azure OpenAI": r"\bazure openai\b",
        "Vertex AI": r"\bvertex(?: ai)?\b",
        "Cursor": r"\bcursor\b(?= ide|,|\.| editor| agent| to | and )",
        "Weights & Biases": r"weights (?:&|and) biases|\bwandb\b",
    }.items()
}


def matches(codes: tuple[Code, ...], text: str) -> list[str]:
    return [code.key for code in codes if code.pattern.search(text)]


def code_story(text: str, *, min_hits: int = 1) -> dict[str, list[str]]:
    """Codebook keys found in a story's text: responsibilities, activities and tools."""
    sample = text[:30000]

    def hits(code: Code) -> int:
        return len(code.pattern.findall(sample))

    return {
        "responsibilities": [c.key for c in RESPONSIBILITIES if hits(c) >= max(min_hits, 2)],
        "activities": [c.key for c in ACTIVITIES if hits(c) >= min_hits],
        "tools": [name for name, pattern in TOOLS.items() if pattern.search(sample)],
    }


def label_of(key: str) -> str:
    for code in (*RESPONSIBILITIES, *ACTIVITIES):
        if code.key == key:
            return code.label
    return key
