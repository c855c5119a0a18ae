"""How each kind of stream folds into state: one definition per aggregate, shared by every handler."""

from __future__ import annotations

from commands.handling import Aggregate
from domain import accounts, erasures, reports, social, videos
from domain.accounts import claims
from domain.engagement import comment_likes, comments, likes
from domain.moderation import cases, friction, standing

ACCOUNT: Aggregate[accounts.State] = Aggregate(accounts.initial, accounts.evolve)
CLAIM: Aggregate[claims.State] = Aggregate(claims.initial, claims.evolve)
VIDEO: Aggregate[videos.State] = Aggregate(videos.initial, videos.evolve)
COMMENT: Aggregate[comments.State] = Aggregate(comments.initial, comments.evolve)
VIDEO_LIKE: Aggregate[likes.State] = Aggregate(likes.initial, likes.evolve)
COMMENT_LIKE: Aggregate[comment_likes.State] = Aggregate(comment_likes.initial, comment_likes.evolve)
FOLLOWS: Aggregate[social.State] = Aggregate(social.initial, social.evolve)
REPORTS: Aggregate[reports.State] = Aggregate(reports.initial, reports.evolve)
ERASURE: Aggregate[erasures.State] = Aggregate(erasures.initial, erasures.evolve)
CASE: Aggregate[cases.State] = Aggregate(cases.initial, cases.evolve)
STANDING: Aggregate[standing.State] = Aggregate(standing.initial, standing.evolve)
DAILY_COUNTS: Aggregate[friction.State] = Aggregate(friction.initial, friction.evolve)
