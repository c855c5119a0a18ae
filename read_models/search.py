"""The search index, as the ``search`` projector keeps it, and its queries.

**Terms.** Text is folded before it is indexed or looked up (``fold``: NFKD, combining marks
dropped, case-folded), so ``José`` is found by ``jose`` and ``JOSÉ``. Three kinds of term:

- ``creator``: a person's whole handle and each word of their display name;
- ``hashtag``: each hashtag of a listed public video;
- ``video``: each distinct word of a listed public video's caption (at most ``MAX_WORDS``).

**Keys.** ``search_terms`` is partitioned by ``(kind, prefix)``, the prefix being the term's first
``PREFIX`` folded characters, and clustered by ``(term, at DESC, id)``. A prefix query of at least
``PREFIX`` characters is then one range read of one partition, on Cassandra and SQLite alike:
``term >= q`` and ``term < q + U+10FFFF``. A shorter query reads the partition named by itself,
which holds only terms that short: it finds exact terms (``#ai``), and prefix matching starts at the
third character. Within a term, rows come newest first (``at``: a creator's registration, a video's
publication), so a hashtag's rows are that hashtag's page, newest first.

**Cost per write.** A registration writes 1 + (words of the name) term rows, a handle row, the
person's state and an ``search_owned`` row; a name change rewrites only the words that changed.
Publishing a video writes one row per hashtag and per distinct caption word (≤ 30 + 64), its state
and an owned row; an edit rewrites the difference; unpublishing, hiding or deleting deletes its
rows. Each row is about 100 bytes plus the term. An erasure deletes every row of the person and of
each of their videos (one read of ``search_owned`` and one of each state).

**Bounds.** A partition holds every term of its prefix: at a few million people or videos per
three-letter prefix it wants one more character, or a shard, in its key (a version bump).

What a viewer may see of the matches (blocks, suspensions, a video's audience) is decided at read
time by the access policy (``services.discovery``); the index holds only what anyone could be shown:
people not erased, and the words of listed public videos.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime

from read_models.cursors import CursorSeal
from read_models.errors import InvalidQuery
from read_models.live import ReadModel
from read_models.port import ReadStore
from read_models.tables import (
    BOOL,
    DESC,
    INT,
    TEXT,
    TEXT_LIST,
    TIMESTAMP,
    Clustering,
    Row,
    Table,
    columns_of,
)

#: Bumping it makes the projector fill fresh tables (``search_terms_v2`` …) from the start of the log.
VERSION = 1
MODEL = ReadModel("search", VERSION)
APPLIED = "applied_position"

CREATOR, HASHTAG, VIDEO = "creator", "hashtag", "video"
PREFIX = 3
MAX_TERM = 50
#: Distinct caption words indexed per video: enough for any real caption, bounded for a long one.
MAX_WORDS = 64
#: Past every character a folded term can end with: the exclusive end of a prefix range.
_LAST = "\U0010ffff"
#: What a search for hashtags seals its cursors as (``read_models.cursors``).
HASHTAGS_CURSOR = "hashtags"
_WORD = re.compile(r"\w+")

SEARCH_TERMS = Table(
    "search_terms",
    columns=columns_of(kind=TEXT, prefix=TEXT, term=TEXT, at=TIMESTAMP, id=TEXT, owner_id=TEXT),
    partition_key=("kind", "prefix"),
    clustering=(Clustering("term"), Clustering("at", DESC), Clustering("id")),
)
#: A handle (lower case, as claims compare them) to its holder: for ``/@handle``.
SEARCH_HANDLES = Table(
    "search_handles", columns=columns_of(handle=TEXT, user_id=TEXT), partition_key=("handle",)
)
#: The projector's own state per person or video: what its term rows are made of. Not for queries.
SEARCH_STATE = Table(
    "search_state",
    columns=columns_of(
        id=TEXT,
        owner_id=TEXT,
        person=BOOL,
        at=TIMESTAMP,
        handle=TEXT,
        names=TEXT_LIST,
        published=BOOL,
        published_at=TIMESTAMP,
        visibility=TEXT,
        hidden=BOOL,
        deleted=BOOL,
        hashtags=TEXT_LIST,
        words=TEXT_LIST,
        **{APPLIED: INT},
    ),
    partition_key=("id",),
)
#: Every id (the person, their videos) whose rows an erasure of the owner must find. Not for queries.
SEARCH_OWNED = Table(
    "search_owned",
    columns=columns_of(owner_id=TEXT, id=TEXT),
    partition_key=("owner_id",),
    clustering=(Clustering("id"),),
)

TABLES = (SEARCH_TERMS, SEARCH_HANDLES, SEARCH_STATE, SEARCH_OWNED)


# -- folding -----------------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Case and accents folded away: what terms are stored and looked up as."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str | None) -> list[str]:
    """The folded words of ``text`` in order, each cut to ``MAX_TERM`` characters, without repeats."""
    if not text:
        return []
    return list(dict.fromkeys(w[:MAX_TERM] for w in _WORD.findall(fold(text))))


def prefix_of(term: str) -> str:
    return term[:PREFIX]


def term_row(kind: str, term: str, at: datetime, id_: str, owner_id: str) -> Row:
    return {"kind": kind, "prefix": prefix_of(term), "term": term, "at": at, "id": id_, "owner_id": owner_id}


# -- queries -----------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Match:
    id: str
    owner_id: str
    term: str
    at: datetime


@dataclasses.dataclass(frozen=True, slots=True)
class Matches:
    items: list[Match]
    next_cursor: str | None


def matches(store: ReadStore, kind: str, word: str, limit: int, cursor: str | None = None) -> Matches:
    """Rows whose term starts with the folded ``word``, by term then newest; one range read."""
    term = word[:MAX_TERM]
    page = store.page(
        MODEL.table(store, SEARCH_TERMS),
        {"kind": kind, "prefix": prefix_of(term)},
        start=(term,),
        end=(term + _LAST,),
        limit=limit,
        cursor=cursor,
    )
    return Matches([_match(r) for r in page.rows], page.cursor)


def tagged(store: ReadStore, hashtag: str, limit: int, cursor: str | None = None) -> Matches:
    """The listed public videos carrying ``hashtag``, newest published first; one range read."""
    page = store.page(
        MODEL.table(store, SEARCH_TERMS),
        {"kind": HASHTAG, "prefix": prefix_of(hashtag)},
        start=(hashtag,),
        end=(hashtag + "\x00",),
        limit=limit,
        cursor=cursor,
    )
    return Matches([_match(r) for r in page.rows], page.cursor)


def hashtags_from(
    store: ReadStore, word: str, after: str | None, sample: int
) -> tuple[str, list[Match]] | None:
    """The first hashtag starting with ``word`` (and past ``after``) with up to ``sample`` of its
    rows, or ``None``: distinct hashtags are found by skipping from one to the next."""
    start = word if after is None else after + "\x00"
    page = store.page(
        MODEL.table(store, SEARCH_TERMS),
        {"kind": HASHTAG, "prefix": prefix_of(word)},
        start=(start,),
        end=(word + _LAST,),
        limit=1,
    )
    if not page.rows:
        return None
    tag = page.rows[0]["term"]
    return tag, tagged(store, tag, sample).items


def holder_of(store: ReadStore, handle: str) -> str | None:
    """The user id holding ``handle`` (any case), unless unknown or erased."""
    row = store.get(MODEL.table(store, SEARCH_HANDLES), {"handle": handle.strip().lower()})
    return None if row is None else str(row["user_id"])


def hashtag_cursor(cursors: CursorSeal, tag: str) -> str:
    """Sealed: the last hashtag looked at may be one the viewer was not shown."""
    return cursors.seal(HASHTAGS_CURSOR, tag.encode())


def parse_hashtag_cursor(cursors: CursorSeal, cursor: str, word: str) -> str:
    """The last hashtag of the page before; it must still start with what is searched."""
    tag = cursors.open(HASHTAGS_CURSOR, cursor).decode()  # sealed here, so it is text
    if not tag.startswith(word):
        raise InvalidQuery("this cursor belongs to another search")
    return tag


def distinct(items: Iterable[Match]) -> list[Match]:
    """The first match of each id: a person or video found by several of its terms shows once."""
    seen: dict[str, Match] = {}
    for item in items:
        seen.setdefault(item.id, item)
    return list(seen.values())


def _match(row: Row) -> Match:
    return Match(id=row["id"], owner_id=row["owner_id"], term=row["term"], at=row["at"])
