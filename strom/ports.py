"""The command side's ports as the operator's settings make them: one place, so every process (API,
worker, projector, CLI) screens, folds, strikes and limits alike."""

from __future__ import annotations

from commands.context import Ports
from commands.folds import FoldCache
from eventstore.keystore import KeyStore
from eventstore.port import EventStore
from strom.screening import FileRules
from strom.settings import Settings
from strom.wiring import make_codec


def ports_for(settings: Settings, store: EventStore, keys: KeyStore) -> Ports:
    """``store`` is passed in, not opened, so the API can wrap it (timing) and the CLI close it."""
    return Ports(
        store=store,
        codec=make_codec(keys),
        keys=keys,
        screening=FileRules.from_settings(settings),
        folds=FoldCache(settings.fold_cache_size),
        strikes=settings.strike_policy(),
        limits=settings.daily_limits(),
    )
