"""The heuristic classifier: labels.md as weighted cues, offline and explainable.

Role comes from the work a page describes (what was built, trained, analysed, shipped), never
from job titles alone: each role has cues for its kind of work, and using AI coding tools for
ordinary work counts for `software_engineer`, not `ai_engineer`. First-hand comes from the
author's own voice (first person doing past work) against explainer, tutorial, listicle, news,
vendor and course cues. Every decision carries the cues that made it. All thresholds live in
`THRESHOLDS`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from storycrawl.classify import rules
from storycrawl.classify.base import Classification, Document
from storycrawl.classify.codebook import code_story

NAME = "heuristic"
MAX_CHARS = 30000


@dataclass(frozen=True)
class Thresholds:
    # A role needs at least this much evidence to be named; below it the role is `other`.
    min_role_score: float = 2.0
    # Points of first-hand evidence (net of explainer cues) needed for is_first_hand.
    first_hand: float = 1.5
    # First-person pronouns per 100 words that count as a personal voice.
    voice_density: float = 1.2
    # Share of AI-building evidence below which AI-tool usage makes the author a user.
    build_over_use: float = 1.0


THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class Cue:
    name: str
    pattern: re.Pattern[str]
    weight: float


def _cues(spec: Iterable[tuple[str, str, float]]) -> tuple[Cue, ...]:
    return tuple(
        Cue(name, re.compile(pattern, re.IGNORECASE), weight) for name, pattern, weight in spec
    )


# --- the work of each role (labels.md) ---------------------------------------------------------

ROLE_CUES: dict[str, tuple[Cue, ...]] = {
    "ai_engineer": _cues(
        [
            (
                "RAG",
                r"\bRAG\b|retrieval[- ]augmented|retrieval (?:pipeline|layer|quality|step|system)",
                2.0,
            ),
            (
                "embeddings/vector search",
                r"\bembeddings?\b|vector (?:db|database|store|search|index)|pgvector|pinecone|qdrant|weaviate|chromadb|\bfaiss\b",
                1.5,
            ),
            (
                "reranking/chunking",
                r"\brerank(?:er|ing)?\b|\bchunk(?:s|ing|ed)?\b|hybrid search|\bBM25\b",
                1.5,
            ),
            (
                "agents",
                r"\b(?:ai |llm |our |the |my |an? )agents?\b|\bagentic\b|multi-agent|agent loop|\bsub-?agents?\b",
                1.0,
            ),
            (
                "tool calling",
                r"tool[- ]call(?:s|ing)?|function[- ]calling|tool (?:use|schemas?|definitions)",
                1.8,
            ),
            (
                "MCP server",
                r"\bMCP (?:server|servers|tool|tools|integration)\b|model context protocol",
                1.5,
            ),
            (
                "evals",
                r"\bevals?\b|eval (?:suite|set|harness|pipeline)|llm[- ]as[- ]a?[- ]?judge|golden (?:set|dataset)|error analysis",
                1.8,
            ),
            (
                "prompt/context engineering",
                r"system prompts?|prompt (?:engineering|templates?|versions?|chain)|context (?:engineering|window)|few[- ]shot|our prompts?|the prompts?\b",
                1.2,
            ),
            ("guardrails", r"guardrails?|prompt injection|jailbreak|hallucinat\w*", 1.2),
            (
                "structured outputs",
                r"structured outputs?|json (?:mode|schema)|\binstructor\b|output pars\w+|schema validation",
                1.2,
            ),
            (
                "LLM observability",
                r"langsmith|langfuse|\barize\b|\bphoenix\b|llm (?:observability|tracing|traces)|traces? of (?:every|each) (?:call|request|run)",
                1.2,
            ),
            (
                "LLM latency/cost",
                r"time to first token|\bTTFT\b|tokens? per (?:second|request|call)|token (?:costs?|spend|usage|budget|bill)|cost per (?:query|request|call|conversation)|prompt caching|semantic cach\w*|cache hit rate",
                1.5,
            ),
            (
                "model routing/serving",
                r"model rout\w+|route (?:requests|queries) to|fallback model|\bvLLM\b|\bollama\b|llama\.cpp|\bTGI\b|self-host\w* (?:an? )?(?:open )?(?:llm|model)",
                1.2,
            ),
            (
                "LLM frameworks",
                r"langchain|langgraph|llama ?index|\bdspy\b|semantic kernel|haystack|crewai|autogen|pydantic ?ai",
                1.2,
            ),
            (
                "LLM APIs",
                r"openai api|anthropic api|chat completions?|completions? api|\bgpt-?4\w*|\bgpt-?5\w*|\bclaude (?:\d|sonnet|haiku|opus)|gemini (?:\d|pro|flash)|\bllm calls?\b|model calls?",
                1.0,
            ),
            (
                "LLM product",
                r"(?:llm|ai|gpt)[- ](?:powered|based)|\bchatbot\b|\bcopilot for\b|support (?:bot|agent|assistant)|(?:our|the) assistant\b|llm (?:feature|app|application|pipeline|product|system)s?",
                1.2,
            ),
            (
                "fine-tuned to replace",
                r"fine[- ]tun\w+ .{0,80}(?:replace|instead of|cheaper than|in our (?:pipeline|product|app))|replace (?:gpt|claude|the (?:big|large) model)",
                2.0,
            ),
        ]
    ),
    "ml_engineer": _cues(
        [
            (
                "model training",
                r"\btrain(?:ed|ing)? (?:a |the |our |my )?(?:new )?(?:model|models|classifier|network|ranker)|training (?:pipeline|run|runs|job|jobs|data|loop|infra\w*|cluster)|retrain\w*",
                1.8,
            ),
            (
                "feature store/MLOps",
                r"feature stores?|feature engineering|\bmlops\b|model registry|kubeflow|sagemaker|\bmlflow\b|vertex pipelines|model serving platform",
                1.8,
            ),
            (
                "recsys/ranking",
                r"recommend(?:er|ation) (?:system|model|engine)s?|\brecsys\b|ranking model|learning to rank|click[- ]through|\bCTR\b|two[- ]tower|candidate generation",
                2.0,
            ),
            (
                "computer vision",
                r"computer vision|object detection|image classification|segmentation model|\bCNNs?\b|\bYOLO\w*|vision model",
                1.8,
            ),
            (
                "GPU training infra",
                r"gpu (?:cluster|utili[sz]ation|hours)|distributed training|\bFSDP\b|deepspeed|megatron|\bDDP\b|mixed precision|gradient (?:accumulation|checkpointing)|data parallel",
                1.8,
            ),
            (
                "training details",
                r"\bepochs?\b|loss curves?|learning rate|hyperparameters?|checkpoints?|overfit\w*|validation loss|batch size|\bAUC\b|precision/recall",
                1.2,
            ),
            (
                "fine-tuning as the job",
                r"\bLoRA\b|\bQLoRA\b|full fine[- ]tun\w+|fine[- ]tun\w+ (?:runs?|recipe|the base|a base|llama|mistral|qwen)|\bSFT\b|\bDPO\b|\bRLHF\b|pre-?training",
                1.5,
            ),
            (
                "classical ML",
                r"\bxgboost\b|lightgbm|random forests?|gradient[- ]boost\w*|scikit-learn|sklearn|\bpytorch\b|tensorflow|\bkeras\b",
                1.0,
            ),
            (
                "model monitoring",
                r"(?:data|model|concept) drift|model monitoring|batch inference|online features|shadow (?:mode|model)",
                1.2,
            ),
        ]
    ),
    "data_scientist": _cues(
        [
            (
                "A/B tests",
                r"\ba/b tests?\b|ab tests?\b|split tests?|experiment(?:s|ation)? (?:design|platform|results|analysis)|controlled experiments?|uplift",
                2.0,
            ),
            (
                "statistics",
                r"statistical(?:ly)? significan\w+|p-values?|confidence intervals?|hypothesis (?:test|testing)|bayesian|causal inference|regression analysis|variance|sample size",
                1.8,
            ),
            (
                "dashboards/BI",
                r"dashboards?|tableau|looker|power ?bi|metabase|\bKPIs?\b|business metrics|reporting",
                1.4,
            ),
            (
                "analysis",
                r"\banalys(?:is|es|ed|ing)\b|\binsights?\b|stakeholders?|cohorts?|retention|churn|forecast\w*|segmentation|exploratory|\bEDA\b",
                1.0,
            ),
            (
                "notebooks/SQL",
                r"jupyter|notebooks?|\bpandas\b|\bSQL\b|dbt\b|data warehouse|snowflake|bigquery",
                0.9,
            ),
            ("data scientist", r"\bdata scien(?:tist|ce)\b|\banalysts?\b", 1.2),
        ]
    ),
    "software_engineer": _cues(
        [
            (
                "frontend/backend work",
                r"\bfrontend\b|front-end|\bbackend\b|back-end|\breact\b|\bvue\b|angular|next\.js|typescript|\bcss\b|components?\b|\bui\b",
                1.0,
            ),
            (
                "migration/refactor",
                r"\bmigrat\w+|refactor\w*|legacy code|monolith|codebase|tech debt|rewr[io]te (?:the|our) (?:app|service|backend|frontend)",
                1.2,
            ),
            (
                "infra/devops",
                r"kubernetes|\bk8s\b|\bdocker\b|terraform|ci/cd|github actions|deploy pipeline|microservices?|load balancer|on-call rotation",
                1.0,
            ),
            (
                "everyday code work",
                r"pull requests?|\bPRs?\b|code reviews?|unit tests?|test coverage|bug fix\w*|api endpoints?|database schema|\bcrud\b|rails|django|spring boot|\bgo service",
                1.0,
            ),
            (
                "uses AI coding tools",
                r"claude code|\bcursor\b|copilot|codex(?: cli)?|windsurf|\baider\b|vibe[- ]?cod\w*|coding (?:agent|assistant)s?|ai[- ]assisted (?:coding|development)|pair[- ]programm\w+|autocomplete|code generation tools?|ai (?:wrote|generated) (?:the|most of the) code",
                1.3,
            ),
        ]
    ),
    "researcher": _cues(
        [
            (
                "paper",
                r"\bour paper\b|\bthe paper\b|\barxiv\b|preprint|\bwe propose\b|camera[- ]ready|peer review|\bNeurIPS\b|\bICML\b|\bICLR\b|\bACL\b|\bEMNLP\b|\bCVPR\b",
                2.0,
            ),
            (
                "benchmarks/SOTA",
                r"state[- ]of[- ]the[- ]art|\bSOTA\b|outperform\w*|ablations?|benchmark results|new benchmark|\bbaselines?\b|leaderboard",
                1.5,
            ),
            (
                "architectures",
                r"attention (?:mechanism|variant|heads?|layers?)|transformer (?:architecture|layers?|blocks?)|architecture (?:change|variant)|positional encoding|mixture of experts|\bMoE\b|scaling laws?|state space model",
                1.8,
            ),
            (
                "interpretability",
                r"interpretability|mechanistic|sparse autoencoders?|\bSAEs?\b|circuits?\b|probing (?:classifier|experiments)|neurons?",
                1.8,
            ),
            (
                "research life",
                r"\bPhD\b|\bour lab\b|research (?:lab|group|question|agenda)|reviewers?\b|theorem|\bproof\b",
                1.2,
            ),
        ]
    ),
    "other": _cues(
        [
            (
                "course marketing",
                r"\benrol+\w*|\bcourse\b|\bcohort\b|curriculum|\bmodules?\b|\blessons?\b|masterclass|bootcamp|certificat\w+|discount code|early[- ]bird|students will",
                1.3,
            ),
            (
                "product launch/vendor",
                r"today we(?:'|’)?re (?:launching|announcing|excited)|we(?:'|’)?re excited to announce|sign up (?:for|today|now)|join the waitlist|book a demo|request a demo|free trial|pricing (?:page|plans?)|contact sales|get started (?:for free|today)|our platform (?:helps|lets|enables)",
                1.5,
            ),
            (
                "news reporting",
                r"said in a statement|according to (?:the|a) (?:company|report|statement)|told \w+ in an interview|raised \$\d|series [a-d] (?:round|funding)|valuation|press release|announced (?:on|today|this week)|the company said|reportedly",
                1.8,
            ),
            (
                "recruiting",
                r"\brecruit(?:er|ers|ing)\b|hiring managers?|candidates?\b|interview (?:process|loop|questions)|talent (?:pool|acquisition)",
                1.2,
            ),
            (
                "student/career question",
                r"\bi(?:'|’)?m (?:a |an )?(?:cs |computer science )?(?:student|undergrad|new grad|fresher|beginner)|how (?:do|can|should) i (?:become|get into|break into|start)|should i learn|career (?:switch|change|advice)|roadmap to become|break into ai",
                1.8,
            ),
            (
                "founder/manager",
                r"\bas (?:a|the) (?:founder|ceo|cto|manager|vp|head of)|\bmy (?:startup|company) (?:is|was)|\bour investors\b|\bgo-to-market\b",
                1.2,
            ),
        ]
    ),
}

# Building verbs near an AI object: the work of an AI engineer, as opposed to using AI tools.
AI_BUILD = re.compile(
    r"\b(?:built|build|building|rebuilt|shipped|ship|shipping|designed|implemented|wrote|deployed|deploy|"
    r"run|running|ran|maintain|operate|instrumented|evaluat\w+|tested|debugged|tuned|added|integrated|wired)\b"
    r"(?:\W+\w+){0,6}?\W+(?:agents?|rag|retrieval|chatbot|assistant|copilot|eval\w*|llm|guardrails?|"
    r"mcp server|prompts?|pipeline|judge|embeddings?|reranker|tool[- ]calling|router|classifier on top of)",
    re.IGNORECASE,
)
AI_USE = re.compile(
    r"\b(?:use|used|using|uses|tried|with|switched to|adopted|let|asked|prompted|paying for)\b(?:\W+\w+){0,3}?\W+"
    r"(?:claude code|cursor|copilot|codex|windsurf|aider|chatgpt|an? (?:ai )?coding (?:agent|assistant))",
    re.IGNORECASE,
)

# --- the author's own voice vs explainers ------------------------------------------------------

FIRST_PERSON = re.compile(
    r"\b(?:I|I'm|I've|I'd|me|my|we|we're|we've|we'd|our|us)\b|\b(?:I|we)(?:’m|’ve|’d|’re)\b"
)
FIRST_HAND_CUES = _cues(
    [
        (
            "own past work",
            r"\b(?:I|we)\s+(?:\w+ly\s+)?(?:built|shipped|wrote|deployed|migrated|moved|rewrote|spent|learned|found|noticed|tried|switched|added|replaced|cut|reduced|started|decided|ran|measured|debugged|fixed|broke|launched|implemented|designed|discovered|realized|realised|hit|ended up|had to|went|got|saw|watched|built out|rolled out|open-sourced|inherited|benchmarked|tested|evaluated)\b",
            1.0,
        ),
        (
            "ongoing own work",
            r"\b(?:I|we)(?:'|’)?(?:ve| have| am|'m| are|'re)\s+(?:been\s+)?(?:building|running|shipping|working on|maintaining|using|operating|spent|built|shipped|learned)\b",
            1.0,
        ),
        (
            "own team/job",
            r"\bmy (?:team|job|company|day|work|role|manager|first (?:year|month|week))\b|\bour (?:team|stack|system|pipeline|agent|bot|product|users|customers|eval\w*|prompts?|codebase|setup)\b|\bat (?:work|my (?:job|company))\b",
            0.8,
        ),
        (
            "story markers",
            r"\bpostmortem\b|post-mortem|war story|lessons? learned|what (?:i|we) learned|here(?:'|’)?s what (?:happened|broke|we|i)|months? (?:of|in|later|ago)|last (?:week|month|quarter|year)|in production\b",
            0.6,
        ),
    ]
)
NOT_FIRST_HAND_CUES = _cues(
    [
        (
            "tutorial voice",
            r"\bin this (?:tutorial|guide|article|post|lesson),? (?:we|you|I)(?:'|’)?(?:ll| will)\b|\byou(?:'|’)?ll learn\b|\bfollow along\b|\bstep \d+\b|\bprerequisites\b|\blet(?:'|’)?s (?:dive|build|start|explore|get started|walk)\b|\bby the end of this\b",
            1.5,
        ),
        ("second-person advice", r"\byou (?:should|need to|must|can|will|might want to)\b", 0.4),
        (
            "explainer title",
            r"^(?:what (?:is|are|does)|a (?:beginner'?s |complete |practical |quick )?guide|(?:the )?ultimate guide|introduction to|an? (?:intro|overview)|everything you need|how to\b|why you should|\w+ explained)",
            2.0,
        ),
        (
            "listicle title",
            r"^(?:top \d+|\d+ (?:best|ways|tips|tools|things|frameworks|lessons|mistakes|reasons)|the \d+ best|best \w+ (?:tools|frameworks|libraries))|\b(?:top|best) \d+\b",
            2.0,
        ),
        (
            "news",
            r"said in a statement|according to (?:the|a|people)|told reporters|raised \$\d|series [a-d]\b|announced (?:on|today|this week|that)|the company (?:said|says|announced)|reportedly|press release",
            1.5,
        ),
        (
            "third-person profile",
            r"\b(?:he|she) (?:built|explains|says|said|told|shared|joined|leads)\b|\bin an interview\b|\bwe (?:spoke|talked) (?:with|to)\b|\bQ&A with\b|\bguest\b|\bcase study\b",
            1.0,
        ),
        (
            "vendor/course page",
            r"book a demo|request a demo|free trial|sign up|enrol+ (?:now|today)|join the waitlist|pricing|contact sales|get started (?:for free|today)|\bour (?:course|cohort|bootcamp)\b",
            1.5,
        ),
        (
            "question post",
            r"^(?:ask hn|how do (?:i|you)|should i|what(?:'|’)?s the best|is it worth|any (?:advice|tips|recommendations))\b",
            1.2,
        ),
    ]
)


def _count(cue: Cue, text: str, title: str) -> int:
    return len(cue.pattern.findall(text)) + 2 * len(cue.pattern.findall(title))


def _score(cues: Iterable[Cue], text: str, title: str) -> tuple[float, list[str]]:
    """Sum of cue weights, each growing slowly with repeats; and the cues found."""
    total = 0.0
    found = []
    for cue in cues:
        count = _count(cue, text, title)
        if count:
            total += cue.weight * (1 + math.log(count))
            found.append(cue.name)
    return total, found


def _squash(margin: float, scale: float = 3.0) -> float:
    """A margin of evidence as a confidence in [0.5, 0.99]."""
    return round(min(0.99, 0.5 + 0.49 * (1 - math.exp(-max(margin, 0.0) / scale))), 2)


@dataclass
class RoleVerdict:
    role: str
    confidence: float
    evidence: str
    scores: dict[str, float]


@dataclass
class FirstHandVerdict:
    is_first_hand: bool
    confidence: float
    evidence: str
    score: float


def judge_role(title: str, text: str, first_hand: bool) -> RoleVerdict:
    t = THRESHOLDS
    scores: dict[str, float] = {}
    found: dict[str, list[str]] = {}
    for role, cues in ROLE_CUES.items():
        scores[role], found[role] = _score(cues, text, title)

    # Using AI tools for ordinary work is software engineering unless the author builds AI.
    builds = len(AI_BUILD.findall(text)) + 2 * len(AI_BUILD.findall(title))
    uses = len(AI_USE.findall(text)) + 2 * len(AI_USE.findall(title))
    if uses and builds < uses * t.build_over_use:
        shift = 0.6 * scores["ai_engineer"]
        scores["ai_engineer"] -= shift
        scores["software_engineer"] += shift + 1.0 * uses
        found["software_engineer"].append(
            f"uses AI coding tools ({uses}x) more than it builds AI ({builds}x)"
        )
    elif builds:
        scores["ai_engineer"] += 0.8 * math.log1p(builds)
        found["ai_engineer"].append(f"builds AI systems ({builds}x)")

    # Pages that are not anyone's own account are usually by marketers, educators, reporters.
    if not first_hand:
        scores["other"] += 1.5

    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    (best, best_score), (_, second_score) = ranked[0], ranked[1]
    if best_score < t.min_role_score:
        return RoleVerdict("other", 0.55, "no role's work is described clearly", scores)
    cues = ", ".join(found[best][:5]) or "general context"
    evidence = f"{best} work: {cues} (score {best_score:.1f} vs {ranked[1][0]} {second_score:.1f})"
    return RoleVerdict(best, _squash(best_score - second_score), evidence, scores)


def judge_first_hand(title: str, text: str) -> FirstHandVerdict:
    t = THRESHOLDS
    words = max(1, len(re.findall(r"\w+", text)))
    voice = len(FIRST_PERSON.findall(text))
    density = 100 * voice / words
    positive, pos_found = _score(FIRST_HAND_CUES, text, title)
    negative, neg_found = _score(NOT_FIRST_HAND_CUES, text, title)
    if density >= t.voice_density:
        positive += min(3.0, density / t.voice_density)
        pos_found.append(f"{density:.1f} first-person words per 100")
    score = positive - negative
    first_hand = score >= t.first_hand
    if first_hand:
        evidence = "own account: " + ", ".join(pos_found[:4])
    else:
        evidence = "not an own account: " + (
            ", ".join(neg_found[:4]) or f"little first-person voice ({density:.1f}/100 words)"
        )
    return FirstHandVerdict(first_hand, _squash(abs(score - t.first_hand), 2.5), evidence, score)


class HeuristicClassifier:
    """labels.md as rules and weighted cues; see the module docstring."""

    name = NAME

    def classify(self, doc: Document) -> Classification:
        title = (doc.title or "").strip()
        text = doc.text[:MAX_CHARS]
        job = rules.job_posting(doc)
        kind = rules.source_type(doc)
        first = judge_first_hand(title, text)
        role = judge_role(title, text, first.is_first_hand)
        is_job = bool(job.value)
        role_name = "other" if is_job and role.role == "other" else role.role
        include = Classification.decide_include(role_name, first.is_first_hand, is_job)
        if is_job:
            confidence, deciding = job.confidence, f"job posting: {job.evidence}"
        elif include:
            confidence, deciding = (
                min(role.confidence, first.confidence),
                f"{role.evidence}; {first.evidence}",
            )
        elif role_name != "ai_engineer":
            confidence, deciding = role.confidence, f"{role.evidence}; {first.evidence}"
        else:
            confidence, deciding = first.confidence, f"{first.evidence}; {role.evidence}"
        codes = (
            code_story(f"{title}\n{text}")
            if include
            else {"responsibilities": [], "activities": [], "tools": []}
        )
        return Classification(
            role=role_name,
            is_first_hand=first.is_first_hand,
            is_job_posting=is_job,
            source_type=str(kind.value),
            include=include,
            confidence=confidence,
            evidence=deciding,
            classifier=NAME,
            source_type_evidence=kind.evidence,
            **codes,
        )
