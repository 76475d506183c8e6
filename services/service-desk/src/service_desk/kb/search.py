"""Full-text search over published articles: FTS5 (bm25) on SQLite, tsvector + GIN (ts_rank_cd) on PostgreSQL.

The user's text is never passed to a query parser raw: words and "quoted phrases" are extracted and, with
`-word` exclusions, rebuilt into the backend's syntax (PostgreSQL: websearch_to_tsquery, which accepts
anything). Titles weigh more than bodies on both backends.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

TOKEN = re.compile(r'(-?)"([^"]*)"|(-?)([\w]+)', re.UNICODE)
WORD = re.compile(r"\w+", re.UNICODE)
MARK_START, MARK_END = "<mark>", "</mark>"
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "can",
        "cannot",
        "could",
        "did",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "no",
        "not",
        "of",
        "on",
        "or",
        "our",
        "please",
        "so",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "hello",
        "hi",
        "thanks",
        "thank",
        "regards",
        "dear",
    ]
)
MAX_SUGGESTION_WORDS = 25


@dataclasses.dataclass(frozen=True)
class Query:
    """What to look for: phrases (each one word or more) all required, or any of them; exclusions."""

    phrases: tuple[str, ...]
    excluded: tuple[str, ...] = ()
    any_phrase: bool = False

    @classmethod
    def parse(cls, text: str) -> Query:
        """Words and "quoted phrases" all required; -word or -"phrase" excluded; stop words ignored."""
        phrases: list[str] = []
        excluded: list[str] = []
        for quoted_neg, quoted, word_neg, word in TOKEN.findall(text):
            phrase = " ".join(WORD.findall(quoted or word))
            if phrase and phrase.lower() not in STOPWORDS:  # as PostgreSQL's english config drops them
                (excluded if (quoted_neg or word_neg) else phrases).append(phrase.lower())
        return cls(tuple(phrases), tuple(excluded))

    @classmethod
    def any_of(cls, texts: Iterable[str]) -> Query:
        """Any of the meaningful words of `texts` (what a ticket is about), for suggestions."""
        words: list[str] = []
        for text in texts:
            for word in WORD.findall(text.lower()):
                if len(word) > 2 and word not in STOPWORDS and not word.isdigit() and word not in words:
                    words.append(word)
        return cls(tuple(words[:MAX_SUGGESTION_WORDS]), any_phrase=True)

    @property
    def empty(self) -> bool:
        return not self.phrases

    def fts5(self) -> str:
        """FTS5 MATCH syntax: every phrase quoted (no operator injection)."""
        joiner = " OR " if self.any_phrase else " AND "
        expression = joiner.join(f'"{phrase}"' for phrase in self.phrases)
        if self.excluded:
            excluded = " OR ".join(f'"{phrase}"' for phrase in self.excluded)
            expression = f"({expression}) NOT ({excluded})"
        return expression

    def websearch(self) -> str:
        """websearch_to_tsquery syntax: every phrase quoted, so a word like "or" is never an operator."""
        joiner = " or " if self.any_phrase else " "
        expression = joiner.join(f'"{phrase}"' for phrase in self.phrases)
        return " ".join([expression, *(f'-"{phrase}"' for phrase in self.excluded)])


@dataclasses.dataclass(frozen=True)
class Hit:
    article_id: str
    rank: float
    snippet: str


SQLITE_SEARCH = """
SELECT f.article_id, -bm25(kb_articles_fts, 0.0, 10.0, 1.0) AS rank,
       snippet(kb_articles_fts, 2, :start, :end, '…', 16) AS snippet
FROM kb_articles_fts AS f JOIN kb_articles AS a ON a.id = f.article_id
WHERE kb_articles_fts MATCH :query AND a.status = 'published' {category}
ORDER BY rank DESC, f.article_id
LIMIT :limit
"""
POSTGRES_SEARCH = """
SELECT a.id, ts_rank_cd(a.search_vector, q.query) AS rank,
       ts_headline('english', coalesce(a.published_body, ''), q.query,
                   'StartSel=<mark>, StopSel=</mark>, MaxWords=24, MinWords=8') AS snippet
FROM kb_articles AS a, websearch_to_tsquery('english', :query) AS q(query)
WHERE a.status = 'published' AND a.search_vector @@ q.query {category}
ORDER BY rank DESC, a.id
LIMIT :limit
"""


def search(session: Session, query: Query, *, limit: int, category_id: str | None = None) -> list[Hit]:
    """Published articles matching `query`, best first."""
    if query.empty:
        return []
    postgres = session.get_bind().dialect.name == "postgresql"
    category = "AND a.category_id = :category_id" if category_id else ""
    sql = (POSTGRES_SEARCH if postgres else SQLITE_SEARCH).format(category=category)
    params = {
        "query": query.websearch() if postgres else query.fts5(),
        "limit": limit,
        "start": MARK_START,
        "end": MARK_END,
        "category_id": category_id,
    }
    rows = session.execute(sa.text(sql), params).all()
    return [Hit(article_id, float(rank), snippet or "") for article_id, rank, snippet in rows]
