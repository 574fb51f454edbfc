"""The heuristic classifier: labels.md as weighted cues, offline and explainable.

Role comes from the work a page describes (what was built, trained, analysed, shipped, taught,
sold), never from job titles alone: each role has cues for its kind of work, and using AI coding
tools for ordinary work counts for `software_engineer`, not `ai_engineer`. First-hand comes from
the author's own voice (first person owning systems and recounting what happened) against
explainer, tutorial, listicle, news, vendor and course cues. Every decision carries the cues
that made it and a sentence quoted from the page. All thresholds live in `THRESHOLDS`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from storycrawl.classify import rules
from storycrawl.classify.base import Classification, Document
from storycrawl.classify.codebook import code_story
from storycrawl.classify.source_type import source_type

NAME = "heuristic"
MAX_CHARS = 30000


@dataclass(frozen=True)
class Thresholds:
    # A role needs this much evidence to be named (scaled down for short posts); else `other`.
    min_role_score: float = 2.5
    short_text_words: int = 120
    # Net points of first-hand evidence needed for is_first_hand.
    first_hand: float = 1.5
    # First-person words (I, we, our...) per 100 words that make a personal voice.
    voice_density: float = 1.0
    # Building AI must be at least this share of AI-tool mentions to count as AI engineering.
    build_over_use: float = 1.0


THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class Cue:
    name: str
    pattern: re.Pattern[str]
    weight: float
    title_only: bool = False


def _cues(spec: Iterable[tuple]) -> tuple[Cue, ...]:
    return tuple(
        Cue(name, re.compile(pattern, re.IGNORECASE | re.MULTILINE), weight, *rest)
        for name, pattern, weight, *rest in spec
    )


# --- the work of each role (labels.md) ---------------------------------------------------------

ROLE_CUES: dict[str, tuple[Cue, ...]] = {
    "ai_engineer": _cues(
        [
            (
                "RAG",
                r"\bRAG\b|retrieval[- ]augmented|retrieval (?:pipeline|layer|quality|step|system|results?)|\bretriev(?:e|ed|es|ing)\b",
                1.8,
            ),
            (
                "embeddings/vector search",
                r"\bembeddings?\b|vector (?:db|database|store|search|index)|pgvector|pinecone|qdrant|weaviate|chromadb|\bfaiss\b",
                1.4,
            ),
            (
                "reranking/chunking",
                r"\brerank(?:er|ing)?\b|\bchunk(?:s|ing|ed)?\b|hybrid search|\bBM25\b|query rewrit\w+",
                1.5,
            ),
            (
                "agents",
                r"\b(?:ai |llm |our |the |my |an? |voice |support |refund |research )agents?\b|\bagentic\b|multi-agent|agent loop|\bsub-?agents?\b",
                1.2,
            ),
            (
                "tool calling",
                r"tool[- ]call(?:s|ing)?|function[- ]calling|tool (?:use|schemas?|definitions|results?|layer)|\w+_\w+\(?\)? tool\b",
                1.8,
            ),
            (
                "MCP server",
                r"\bMCP (?:server|servers|tool|tools|integration)\b|model context protocol",
                1.4,
            ),
            (
                "evals",
                r"\bevals?\b|eval (?:suite|set|harness|pipeline)|llm[- ]as[- ]a?[- ]?judge|\bllm judge\b|\bjudge (?:model|prompt)\b|golden (?:set|dataset|conversations)|error analysis|regression (?:suite|set|cases)",
                1.8,
            ),
            (
                "prompt/context engineering",
                r"system prompts?|prompt (?:engineering|templates?|versions?|chain|changes?|caching|injection)|context (?:engineering|window)|few[- ]shot|\bour prompts?\b|\bthe prompts?\b|\bprompts\b",
                1.2,
            ),
            ("guardrails", r"guardrails?|prompt injection|jailbreak|hallucinat\w*", 1.2),
            (
                "structured outputs",
                r"structured outputs?|json (?:mode|schema)|\binstructor\b|output pars\w+|schema validation|pydantic schema",
                1.2,
            ),
            (
                "LLM observability",
                r"langsmith|langfuse|\barize\b|\bphoenix\b|llm (?:observability|tracing|traces|calls?)|(?:every|each) (?:llm |model )?call is logged|prompt[- ]template hash",
                1.2,
            ),
            (
                "LLM latency/cost",
                r"time to first token|\bTTFT\b|tokens? per (?:second|request|call)|token (?:costs?|spend|usage|budget|bill)|cost per (?:query|request|call|conversation|ticket)|prompt caching|semantic cach\w*|cache hit rate|batch api|llm (?:spend|bill|costs?)",
                1.5,
            ),
            (
                "model routing/serving",
                r"model rout\w+|\brout(?:e|es|ing) (?:requests|queries|traffic) (?:to|between)|fallback (?:model|providers?)|fail(?:s)? over|\bvLLM\b|\bollama\b|llama\.cpp|\bTGI\b|self-host\w* (?:an? )?(?:open )?(?:llm|model)|llm gateway|model providers?|\bproviders\b",
                1.2,
            ),
            (
                "LLM frameworks",
                r"langchain|langgraph|llama ?index|\bdspy\b|semantic kernel|haystack|crewai|autogen|pydantic ?ai",
                1.2,
            ),
            (
                "LLM APIs and models",
                r"openai api|anthropic api|chat completions?|completions? api|\bgpt-?4\w*|\bgpt-?5\w*|\bclaude (?:\d|sonnet|haiku|opus)|gemini (?:\d|pro|flash)|\bllms?\b|language models?|model calls?|\bthe model(?:'s)?\b|frontier models?|small(?:er)? models?",
                0.9,
            ),
            (
                "LLM product",
                r"(?:llm|ai|gpt)[- ](?:powered|based)|\bchatbot\b|\bcopilot\b|(?:support|chat|docs|voice|research|writing|coding|sales) (?:bot|agent|assistant)|(?:our|the) (?:ai )?assistant\b|llm (?:feature|app|application|pipeline|product|system|pieces)s?|speech-to-text|text-to-speech",
                1.2,
            ),
            (
                "fine-tuned for the product",
                r"fine[- ]tun\w+ .{0,80}(?:replace|instead of|cheaper than|in our (?:pipeline|product|app))|replace (?:gpt|claude|the (?:big|large|frontier) model)|distill\w* .{0,40}(?:for|into) (?:our|the) (?:product|pipeline|feature)",
                2.0,
            ),
        ]
    ),
    "ml_engineer": _cues(
        [
            (
                "model training",
                r"\btrain(?:ed|ing)? (?:a |the |our |my )?(?:new )?(?:model|models|classifier|network|ranker|adapters?)|training (?:pipeline|run|runs|job|jobs|data|loop|infra\w*|cluster|set)|retrain\w*|pre-?train\w*",
                1.8,
            ),
            (
                "feature store/MLOps",
                r"feature stores?|feature engineering|\bmlops\b|model registry|kubeflow|sagemaker|\bmlflow\b|vertex pipelines|model serving platform|\bairflow\b",
                1.8,
            ),
            (
                "recsys/ranking",
                r"recommend(?:er|ation) (?:system|model|engine)s?|\brecsys\b|ranking model|learning to rank|click[- ]through|\bCTR\b|two[- ]tower|candidate generation|fraud model",
                2.0,
            ),
            (
                "computer vision",
                r"computer vision|object detection|image classification|segmentation model|\bCNNs?\b|\bYOLO\w*|vision model",
                1.8,
            ),
            (
                "GPU training infra",
                r"gpu (?:cluster|utili[sz]ation|hours|nodes)|distributed training|\bFSDP\b|deepspeed|megatron|\bDDP\b|mixed precision|gradient (?:accumulation|checkpointing)|data parallel|\bH100s?\b|\bA100s?\b",
                1.8,
            ),
            (
                "training details",
                r"\bepochs?\b|loss curves?|learning rate|hyperparameters?|checkpoints?|overfit\w*|validation loss|batch size|\bAUC\b|precision/recall|\bsweeps?\b",
                1.2,
            ),
            (
                "fine-tuning as the job",
                r"\bLoRA\b|\bQLoRA\b|\badapters?\b|full fine[- ]tun\w+|fine[- ]tun\w+ (?:runs?|recipe|the base|a base|llama|mistral|qwen)|\bSFT\b|\bDPO\b|\bRLHF\b|leaderboard|base models?",
                1.5,
            ),
            (
                "classical ML",
                r"\bxgboost\b|lightgbm|random forests?|gradient[- ]boost\w*|scikit-learn|sklearn|\bpytorch\b|tensorflow|\bkeras\b|classical (?:ml|classifier)",
                1.0,
            ),
            (
                "model monitoring",
                r"(?:data|model|concept) drift|model monitoring|batch inference|online features|shadow models?",
                1.2,
            ),
        ]
    ),
    "data_scientist": _cues(
        [
            (
                "A/B tests",
                r"\ba/b tests?\b|ab tests?\b|split tests?|experiment(?:s|ation)? (?:design|platform|results|analysis)|(?:our|the|an?) (?:\w+ )?experiment\b|controlled experiments?|uplift|treatment group|control group",
                2.0,
            ),
            (
                "statistics",
                r"statistical(?:ly)? significan\w+|p-values?|confidence intervals?|hypothesis (?:test|testing)|bayesian|causal inference|regression analysis|variance|sample size|survey (?:data|responses)|\bcorrelation\b|\br ?= ?0?\.\d+|\bholdout\b|explains (?:most|much|half) of (?:it|the)",
                1.8,
            ),
            (
                "dashboards/BI",
                r"dashboards?|tableau|looker|power ?bi|metabase|\bKPIs?\b|business metrics|reporting|quarterly (?:report|review|insights)",
                1.4,
            ),
            (
                "analysis",
                r"\banalys(?:is|es|ed|ing)\b|\binsights?\b|stakeholders?|cohorts?|retention|churn|forecast\w*|segmentation|exploratory|\bEDA\b|clustering|clusters\b|trends?\b",
                1.0,
            ),
            (
                "notebooks/SQL",
                r"jupyter|notebooks?|\bpandas\b|\bSQL\b|dbt\b|data warehouse|snowflake|bigquery",
                0.9,
            ),
            ("data scientist", r"\bdata scien(?:tist|ce)\b|\banalysts?\b|analytics team", 1.2),
        ]
    ),
    "software_engineer": _cues(
        [
            (
                "frontend/backend work",
                r"\bfrontend\b|front-end|\bbackend\b|back-end|\breact\b|\bvue\b|angular|next\.js|typescript|\bcss\b|components?\b|\bui\b|\brails\b|django|laravel",
                1.0,
            ),
            (
                "migration/refactor",
                r"\bmigrat\w+|refactor\w*|legacy code|monolith|codebase|tech debt|rewr[io]te (?:the|our) (?:app|service|backend|frontend)|upgrade\w* (?:to|from)",
                1.2,
            ),
            (
                "infra/devops",
                r"kubernetes|\bk8s\b|\bdocker\b|terraform|ci/cd|github actions|deploy pipeline|microservices?|load balancer|on-call rotation",
                1.0,
            ),
            (
                "databases/queues/services",
                r"\bpostgres(?:ql)?\b|\bmysql\b|\bredis\b|\bkafka\b|\bqueues?\b|\bworkers\b|\btransactions?\b|\breplicas?\b|autovacuum|\bvacuum\b|partition\w*|\bfeature flags?\b|background jobs?|\bthroughput\b|\bincidents?\b|\bSELECT\b|\bindexes\b|\bschema changes?\b|\bcdn\b|\bweb ?hooks?\b",
                0.9,
            ),
            (
                "everyday code work",
                r"pull requests?|\bPRs?\b|code reviews?|unit tests?|test (?:coverage|suite)|bug fix\w*|api endpoints?|database schema|\bcrud\b|spring boot|\bgo service|issue triage",
                1.0,
            ),
            (
                "uses AI coding tools",
                r"claude code|\bcursor\b|copilot|codex(?: cli)?|windsurf|\baider\b|vibe[- ]?cod\w*|coding (?:agents?|assistants?)|ai[- ]assisted (?:coding|development)|pair[- ]programm\w+|autocomplete|code generation tools?|ai (?:wrote|generated) (?:the|most of the) code",
                1.3,
            ),
        ]
    ),
    "researcher": _cues(
        [
            (
                "paper",
                r"\bour paper\b|\bthe paper\b|\btechnical report\b|\ba paper\b|\bpublished (?:it|the|our|a)\b|\barxiv\b|preprint|\bwe propose\b|camera[- ]ready|peer review|\bNeurIPS\b|\bICML\b|\bICLR\b|\bACL\b|\bEMNLP\b|\bCVPR\b|\bworkshop paper\b",
                2.0,
            ),
            (
                "study",
                r"\bour (?:study|studies|analysis of|findings)\b|\bthe study\b|\bwe (?:studied|found that|computed|collected|surveyed)\b|\bcorrelat\w+|\bmanually (?:classified|labell?ed|annotated)\b|\bbenchmarks?\b",
                1.4,
            ),
            (
                "benchmarks/SOTA",
                r"state[- ]of[- ]the[- ]art|\bSOTA\b|outperform\w*|ablations?|benchmark(?:ed|ing)? (?:results|\d+ (?:open )?models|models)|new benchmark|\bbaselines?\b|leaderboard|\bdatasets?\b we (?:release|built|collected)|annotat\w+",
                1.5,
            ),
            (
                "architectures",
                r"attention (?:mechanism|variant|heads?|layers?)|transformer (?:architecture|layers?|blocks?)|architecture (?:change|variant)|positional encoding|mixture of experts|\bMoE\b|scaling laws?|state space model",
                1.8,
            ),
            (
                "interpretability",
                r"interpretability|mechanistic|sparse autoencoders?|\bSAEs?\b|circuits?\b|probing (?:classifier|experiments)|neurons?|activations?",
                1.8,
            ),
            (
                "research life",
                r"\bPhD\b|\bour lab\b|research (?:lab|group|question|agenda)|reviewers?\b|theorem|\bproof\b|co-?authors?",
                1.2,
            ),
        ]
    ),
    "other": _cues(
        [
            (
                "course marketing",
                r"\benrol+\w*|\bcourse\b|\bcohort\b|curriculum|\bmodules?\b|\blessons?\b|masterclass|bootcamp|certificat\w+|discount code|early[- ]bird|students will|exam\b",
                1.3,
            ),
            (
                "teaching",
                r"\bI teach\b|\bteaching\b|\bmy students\b|\bstudents\b|\bundergraduates?\b|\bgrad(?:e|ing|ed) (?:the|their) \w+|\blectur(?:e|es|er|ing)\b|\bsyllabus\b|\bclassroom\b|\bsemester\b",
                2.2,
            ),
            (
                "product launch/vendor",
                r"^launch hn\b|\b(?:helps|lets|enables) (?:teams|companies|developers)\b|\bcustomer stor(?:y|ies)\b|today we(?:'|’)?re (?:launching|announcing|excited)|we(?:'|’)?re excited to announce|sign up (?:for|today|now)|join the waitlist|book a demo|request a demo|free trial|pricing (?:page|plans?)|contact sales|get started (?:for free|today)|our platform (?:helps|lets|enables)|customers like",
                1.5,
            ),
            (
                "news reporting",
                r"said in a statement|according to (?:the|a) (?:company|report|statement|survey)|told \w+ in an interview|raised \$\d|series [a-d] (?:round|funding)|valuation|press release|announced (?:on|today|this week)|the company said|reportedly|here(?:'|’)s what happened this week|this week in",
                1.8,
            ),
            (
                "recruiting",
                r"\brecruit(?:er|ers|ing)\b|hiring managers?|candidates?\b|interview (?:process|loop|questions)|\binterview(?:s|ed|ing)? (?:ai |ml |llm |software )?(?:engineers|candidates|people)\b|take-home|\binterviewing\b|talent (?:pool|acquisition)|we hire\b",
                2.0,
            ),
            (
                "student/career question",
                r"\bi(?:'|’)?m (?:a |an )?(?:\w+-year )?(?:cs |computer science )?(?:student|undergrad|new grad|fresher|beginner|junior)\b|\bcs (?:junior|senior|student|major)\b|\bby graduation\b|\bmy degree\b|\binternships?\b|how (?:do|can|should) i (?:become|get into|break into|start|learn|move into|transition into|switch into|pivot into)|should i (?:learn|focus|build|study)|career (?:switch|change|advice)|roadmap to become|break into ai|bootcamp grad",
                2.2,
            ),
            (
                "founder/manager",
                r"\bas (?:a|the) (?:founder|ceo|cto|manager|vp|head of|product manager|pm)\b|\bmy (?:startup|company) (?:is|was)\b|\bour investors\b|\bgo-to-market\b|\bmy reports\b|\bproduct managers? (?:like|should)\b",
                1.2,
            ),
            (
                "opinion about the industry",
                r"\bhype\b|\boverhyped\b|\bbubble\b|\bin (?:two|five|ten) years\b|\beveryone (?:is|wants)\b|\bhot take\b",
                0.8,
            ),
        ]
    ),
}

# Building verbs near an AI object: the work of an AI engineer, as opposed to using AI tools.
AI_BUILD = re.compile(
    r"\b(?:built|build|building|rebuilt|shipped|ship|shipping|designed|implemented|wrote|deployed|deploy|"
    r"run|running|ran|maintain|maintaining|operate|instrumented|evaluat\w+|tested|debugged|tuned|added|integrated|wired|own)\b"
    r"(?:[^\w.!?]+\w+){0,6}?[^\w.!?]+(?:agents?|rag|retrieval|chatbot|assistant|copilot|eval\w*|llm|guardrails?|"
    r"mcp server|prompts?|pipeline|judge|embeddings?|reranker|tool[- ]calling|tool layer|router|gateway|harness)\b",
    re.IGNORECASE,
)
AI_USE = re.compile(
    r"\b(?:use|used|using|uses|tried|with|switched to|adopted|let|asked|prompted|paying for|configured|installed|rolled out|started using|gave us|pointed)\b"
    r"(?:[^\w.!?]+\w+){0,3}?[^\w.!?]+(?:claude code|cursor|copilot|codex|windsurf|aider|chatgpt|(?:an? )?(?:ai )?coding (?:agents?|assistants?)|"
    r"(?:the |an? |off-the-shelf |existing )?\w* ?mcp servers?)",
    re.IGNORECASE,
)

# Authors who say who they are: their role is `other` whatever the topic (labels.md).
IDENTITY = re.compile(
    r"(?P<a_student>\bI(?:'|’)?m (?:a |an )?(?:\w+[- ]year |first-year |final-year )?(?:cs |computer science |engineering |masters? |phd )?(?:student|undergrad(?:uate)?)\b|\bstudent here\b|\bcs (?:junior|senior|student|major|sophomore|freshman)\b|\b(?:sophomore|freshman)\b|#100DaysOf\w+)"
    r"|(?P<a_teacher>\bI teach\b|\bmy students\b|\bteaching (?:\w+ ){0,3}to \d+ (?:undergraduates|students)\b)"
    r"|(?P<a_recruiter>\bI(?:'|’)?m (?:a |an )?(?:tech |technical )?recruiter\b|\bas a hiring manager\b|\bwhen (?:I|we) interview (?:ai |ml |llm )?(?:engineers|candidates)\b|\bhow (?:do you|we) interview\b|\bI (?:hired|have hired|interviewed) (?:\w+ ){0,2}(?:ai |ml |llm )?engineers\b)"
    r"|(?P<a_manager>\bas (?:the|a|an|their|my) (?:engineering )?manager\b|\b(?:I|who) manages? (?:a|the|my) team\b|\ban engineering manager who\b)"
    r"|(?P<a_product_manager>\bI(?:'|’)?m (?:a |an |the )?(?:senior |lead )?(?:product manager|PM)\b|^PM at\b|\bas (?:a|the) product manager\b)"
    r"|(?P<a_founder_in_business>\bnon-technical (?:co-?)?founder\b|\b(?:my )?co-?founder (?:handles|does|owns) (?:all )?the tech\b|\bhow we raised\b)",
    re.IGNORECASE,
)
# Page kinds that nobody writes about their own work in (the first-hand cues name them).
NOT_OWN_WORK_KINDS = {
    "vendor/course page": "a vendor or course page",
    "news": "news",
    "newsletter roundup": "a newsletter roundup",
    "newsletter title": "a newsletter issue",
    "vendor/course title": "a vendor or course page",
    "notes on others' talks": "notes on other people's talks",
    "tutorial voice": "a tutorial",
    "listicle title": "a listicle",
    "explainer title": "an explainer",
    "third-person profile": "a third-person profile",
    "case study title": "a customer case study",
}

# --- the author's own voice vs explainers ------------------------------------------------------

# A page that reports someone's own post ("A Reddit post by an engineer who...", "A Hacker News
# commenter says...", "Jane Roe writes about the agent she maintains"): a summary, as link
# aggregators and labelled sets give, of an account that is first-hand in the original.
REPORTED_ACCOUNT = re.compile(
    r"^(?:an? |the )?(?:[\w'’.-]+ ){0,4}?(?:post|posts|thread|comment|article|write-up|essay)"
    r" (?:by|from|in which)\b"
    r"|^(?:in an? (?:[\w'’-]+ ){0,8}?(?:thread|post|discussion)\b[^.]{0,80}?,\s*)?(?:an? |the )?(?:[\w'’-]+ ){0,3}?"
    r"(?:commenter|poster|redditor|user)\b(?! (?:asks|asked))"
    r"|^[A-Z][\w'’-]+(?: [A-Z][\w'’-]+){0,2}(?:, [^.]{0,120}?,)? (?:writes|describes|explains|recounts|shares|reflects)\b",
    re.IGNORECASE,
)
_REPORTED_WHO = re.compile(
    r"^(.{0,160}?\b(?:post|thread|comment|article|write-up|essay|commenter|poster|redditor|user)\b[^.]{0,80}?)\bwho\s+",
    re.IGNORECASE | re.DOTALL,
)
# The reported author's words, as the author would have said them.
_REPORTED_WORDS = (
    (re.compile(r"\b(?:the author|the poster|the commenter|OP)(?:'|’)s\b", re.IGNORECASE), "my"),
    (re.compile(r"\b(?:he|she|they|the author|the poster|the commenter|OP)\b", re.IGNORECASE), "I"),
    (re.compile(r"\b(?:his|her|their)\b", re.IGNORECASE), "my"),
    (re.compile(r"\b(?:him|them)\b", re.IGNORECASE), "me"),
    (re.compile(r"\b(?:himself|herself|themselves)\b", re.IGNORECASE), "myself"),
)


def in_own_voice(text: str) -> str:
    """A reported own account turned back into the author's voice; any other text unchanged.
    Third-person words then stop reading as a profile of someone else."""
    if not REPORTED_ACCOUNT.search(text.lstrip()[:300]):
        return text
    # "A post by an engineer who built...": the first "who" is the author.
    text = _REPORTED_WHO.sub(r"\1 I ", text, count=1)
    for pattern, word in _REPORTED_WORDS:
        text = pattern.sub(word, text)
    return text


FIRST_PERSON = re.compile(
    r"\b(?:I|I'm|I've|I'd|me|my|we|we're|we've|we'd|our|us)\b|\b(?:I|we)(?:’m|’ve|’d|’re)\b",
    re.IGNORECASE,
)
SECOND_PERSON = re.compile(r"\b(?:you|your|you're|you'll|yourself)\b", re.IGNORECASE)
FIRST_HAND_CUES = _cues(
    [
        (
            "own past work",
            r"\b(?:I|we)\s+(?:(?:\w+ly|now|also|still|then|finally|already|eventually|first)\s+)?(?:built|shipped|wrote|deployed|migrated|moved|rewrote|spent|learned|found|noticed|tried|switched|added|replaced|cut|reduced|started|decided|ran|measured|debugged|fixed|broke|launched|implemented|designed|discovered|realized|realised|hit|ended up|had to|went|got|saw|watched|rolled out|open-sourced|inherited|benchmarked|tested|evaluated|assumed|lowered|raised|made|changed|dropped|kept|turned|logged|took|routed|served)\b|\bwhat (?:I|we) (?:did|abandoned|kept|changed|dropped|shipped)\b|\bwhat worked\b|\bwe scoped\b|\bour journey\b|(?:^|[.!?]\s+)(?:Spent|Built|Shipped|Fine-tuned|Took|Moved|Switched|Rewrote|Cut|Added|Wrote|Migrated|Replaced|Tried|Finally got|Just shipped)\b",
            1.0,
        ),
        (
            "ongoing own work",
            r"\b(?:I|we)(?:'|’)?(?:ve| have| am|'m| are|'re)\s+(?:been\s+)?(?:building|running|shipping|working on|maintaining|using|operating|spent|built|shipped|learned|run|had|deep in)\b|\b(?:I|we) (?:(?:now|also|still|then|always|usually)\s+)?(?:run|maintain|own|operate|ship|check|use|have|target|post-process|log|build|work on|extract|route|serve|index|evaluate|call|stream|retrieve|embed|process|handle|lead|replay|score|sample|review|test)(?:s|es)?\b",
            1.0,
        ),
        (
            "own team/system",
            r"\bmy (?:team|job|company|day|work|role|manager|first (?:year|month|week))\b|\bour (?:\w+[- ]){0,2}(?!own\b|industry\b|field\b|society\b|world\b|lives\b|future\b|profession\b|craft\b|attention\b|readers?\b|newsletter\b|course\b|cohort\b|bootcamp\b|curriculum\b|community\b|guide\b|tutorial\b|website\b|blog\b)[a-z][\w-]*\b|\bat (?:work|my (?:job|company))\b|\bthis (?:post|year|quarter|spring|summer|autumn|fall|winter) (?:our|we|I)\b",
            0.9,
        ),
        (
            "what happened",
            r"\bpostmortem\b|post-mortem|war story|lessons? learned|what (?:i|we) learned|here(?:'|’)?s what (?:happened|broke|we|i)|months? (?:of|in|later|ago)|last (?:week|month|quarter|year|spring|summer|autumn|fall|winter)|since (?:spring|summer|january|february|march|april|may|june|july|august|september|october|november|december|launch)|in production\b|(?:\bweek|\bday|\bmonth) \d+ of\b|\bafter (?:\w+ ){0,2}(?:weeks|months)\b",
            0.7,
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
        (
            "explainer title",
            r"^(?:what (?:is|are|does)|a (?:beginner'?s |complete |practical |quick )?guide|(?:the )?ultimate guide|introduction to|an? (?:intro|overview)|everything you need|how to\b|why you should|\w+ explained|(?:build|create|make|implement|deploy) (?:an?|your)\b)|\bpredictions\b",
            2.0,
            True,
        ),
        (
            "listicle title",
            r"^(?:top \d+|\d+ (?:best|ways|tips|tools|things|frameworks|mistakes|reasons)|the \d+ best|best \w+ (?:tools|frameworks|libraries))|\b(?:top|best) \d+\b",
            2.0,
            True,
        ),
        (
            "news",
            r"said in a statement|according to (?:the|a|people)|told reporters|raised \$\d|series [a-d]\b|announced (?:on|today|this week|that)|the company (?:said|says|announced)|reportedly|press release|published on (?:monday|tuesday|wednesday|thursday|friday)",
            1.5,
        ),
        (
            "third-person profile",
            r"\b(?:he|she) (?:built|explains|says|said|told|shared|joined|leads)\b|\bin an interview\b|\bwe (?:spoke|talked) (?:with|to)\b|\bQ&A with\b|\bcase study\b|\b(?:her|his) team\b",
            1.0,
        ),
        (
            "case study title",
            r"^how (?:an? |the )?(?!(?:we|i|to|my|our|you)\b)[\w&.'’ -]{2,60}? (?:built|builds|uses|used|cut|scaled|reduced|resolved|ships|shipped|saved|automated|deployed)\b",
            2.0,
            True,
        ),
        (
            "vendor/course page",
            (
                r"book a demo|request a demo|free trial|sign up|enrol+ (?:now|today)|join the waitlist|\bpricing\b|contact sales|get started (?:for free|today)|\bour (?:course|cohort|bootcamp|curriculum)\b|job guarantee|passing score"
                r"|\bstart (?:for )?free\b|\bfree tier\b|\bwith (?:promo |discount )?code [A-Z0-9]{4,}\b|today we(?:'|’)?re (?:launching|releasing|announcing)|\bnext cohort\b|\bcohort course\b|\byou will learn\b|\btrusted by [\d,]+\b|excited to (?:launch|announce|introduce)|\blive for all users\b"
            ),
            1.5,
        ),
        (
            "vendor/course title",
            r"^introducing\b|\bcohort\b|\bcourse\b|\bplatform\s*[-–|:]",
            1.5,
            True,
        ),
        (
            "notes on others' talks",
            r"\b(?:talk|session|keynote|panel) \d+\s*:|\bnotes (?:from|on) (?:\w+ ){0,6}?(?:talk|summit|conference|keynote|session|meetup)|\bconference notes\b|\bwhat I learned at\b|\bthe (?:speakers?|talks?|panel(?:ists)?) (?:said|argued|showed|described)\b|\b(?:summit|conference|meetup),? day \d\b",
            1.5,
        ),
        (
            "newsletter roundup",
            r"welcome back to|here(?:'|’)s what happened|this week(?:'|’)s (?:links|issue|roundup)|\bissue #\d+|^this week:|^must reads?\b",
            1.5,
        ),
        (
            "newsletter title",
            r"\b(?:weekly|digest|roundup|newsletter)\b.{0,20}#\d+|\bissue #?\d+\b",
            2.0,
            True,
        ),
    ]
)


def _count(cue: Cue, text: str, title: str) -> int:
    in_title = len(cue.pattern.findall(title))
    return 2 * in_title if cue.title_only else len(cue.pattern.findall(text)) + 2 * in_title


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
    against: tuple[str, ...] = ()  # the not-first-hand cues found

    @property
    def page_kind(self) -> str | None:
        """What the page is when it is nobody's own account: a vendor page, news, a tutorial..."""
        if self.is_first_hand:
            return None
        return next(
            (NOT_OWN_WORK_KINDS[name] for name in self.against if name in NOT_OWN_WORK_KINDS), None
        )


def judge_role(
    title: str, text: str, first_hand: bool, page_kind: str | None = None
) -> RoleVerdict:
    """The role whose work the page describes. An author who says who they are (a student, a
    teacher, a recruiter) or a page that is not anyone's own account (a vendor page, news, a
    course, a tutorial: `page_kind`) is `other`, whatever AI vocabulary it uses (labels.md)."""
    t = THRESHOLDS
    if identity := IDENTITY.search(f"{title}\n{text[:5000]}"):
        return RoleVerdict(
            "other",
            0.8,
            f"the author writes as {identity.lastgroup.replace('_', ' ')}: '{identity.group(0)}'",
            {},
        )
    if page_kind:
        return RoleVerdict("other", 0.75, f"written as {page_kind}, not as anyone's own work", {})
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
            f"uses AI tools ({uses}x) more than it builds AI ({builds}x)"
        )
    elif builds:
        scores["ai_engineer"] += 0.8 * math.log1p(builds)
        # Building a coding agent is AI engineering: its tool names are not usage here.
        scores["software_engineer"] *= 0.6
        found["ai_engineer"].append(f"builds AI systems ({builds}x)")

    # Pages that are not anyone's own account are usually by marketers, educators, reporters.
    if not first_hand:
        scores["other"] += 1.5

    words = len(re.findall(r"\w+", text))
    minimum = t.min_role_score * (0.6 if words < t.short_text_words else 1.0)
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    (best, best_score), (second, second_score) = ranked[0], ranked[1]
    if best_score < minimum:
        return RoleVerdict("other", 0.55, "no role's work is described clearly", scores)
    cues = ", ".join(found[best][:5]) or "general context"
    evidence = f"{best} work: {cues} (score {best_score:.1f} vs {second} {second_score:.1f})"
    return RoleVerdict(best, _squash(best_score - second_score), evidence, scores)


def judge_first_hand(title: str, text: str) -> FirstHandVerdict:
    t = THRESHOLDS
    words = max(1, len(re.findall(r"\w+", text)))
    density = 100 * len(FIRST_PERSON.findall(text)) / words
    second = 100 * len(SECOND_PERSON.findall(text)) / words
    positive, pos_found = _score(FIRST_HAND_CUES, text, title)
    negative, neg_found = _score(NOT_FIRST_HAND_CUES, text, title)
    if density >= t.voice_density:
        positive += min(3.0, density / t.voice_density)
        pos_found.append(f"{density:.1f} first-person words per 100")
    if second > max(density, 1.0) * 1.5:
        negative += min(2.0, second / 2)
        neg_found.append(f"addresses the reader ({second:.1f} 'you' per 100 words)")
    score = positive - negative
    # A first-person voice alone is opinion; an own account recounts work or owns a system.
    owns_work = any(
        name in pos_found for name in ("own past work", "ongoing own work", "own team/system")
    ) or ("what happened" in pos_found and density >= 1.5 * t.voice_density)
    first_hand = score >= t.first_hand and owns_work
    if first_hand:
        evidence = "own account: " + ", ".join(pos_found[:4])
    elif score >= t.first_hand:
        evidence = "not an own account: a first-person voice, but no own work or system in it"
    else:
        evidence = "not an own account: " + (
            ", ".join(neg_found[:4]) or f"little first-person voice ({density:.1f}/100 words)"
        )
    return FirstHandVerdict(
        first_hand, _squash(abs(score - t.first_hand), 2.5), evidence, score, tuple(neg_found)
    )


def best_quote(text: str, role: str, first_hand: bool, limit: int = 220) -> str:
    """The sentence of the page that best shows the decision: the role's work in the author's voice."""
    cues = ROLE_CUES.get(role, ())
    best, best_score = "", 0.0
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", text[:MAX_CHARS])[:150]:
        sentence = sentence.strip()
        if len(sentence.split()) < 6 or len(sentence) > 400:
            continue
        score = sum(1.0 for cue in cues if cue.pattern.search(sentence))
        if first_hand and FIRST_PERSON.search(sentence):
            score += 0.8
        if score > best_score:
            best, best_score = sentence, score
    if len(best) > limit:
        best = best[:limit].rsplit(" ", 1)[0] + "…"
    return best


class HeuristicClassifier:
    """labels.md as rules and weighted cues; see the module docstring."""

    name = NAME

    def classify(self, doc: Document) -> Classification:
        title = (doc.title or "").strip()
        text = doc.text[:MAX_CHARS]
        job = rules.job_posting(doc)
        kind = source_type(doc)
        voice = in_own_voice(text)
        first = judge_first_hand(title, voice)
        role = judge_role(title, voice, first.is_first_hand, first.page_kind)
        is_job = bool(job.value)
        role_name = "other" if is_job else role.role
        if is_job and kind.value == "personal":
            # Ads, careers pages and salary guides are organisations' pages (labels.md).
            kind = rules.Decision(
                "company", 0.7, f"a job posting: an organisation's page ({kind.evidence})"
            )
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
        quote = best_quote(text, role_name, first.is_first_hand) if not is_job else ""
        evidence = f"“{quote}” — {deciding}" if quote else deciding
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
            evidence=evidence,
            classifier=NAME,
            source_type_evidence=kind.evidence,
            **codes,
        )
