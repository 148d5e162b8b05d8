"""The household's progress as handlers see it: read once per Alexa session, saved only on change.

Handlers call ``current`` to read and ``update`` to change; this module keeps the cost rules in
one place. The first read of a session is cached in the session attributes (so later turns cost
no read), and every turn also caches in request attributes (so a turn never reads twice, even
when the store is down). Sessionless events such as SkillDisabled have no session attributes and
read the store directly.

The repository reaches handlers through request attributes, put there by ``StoreInterceptor``
which the skill builder registers, so handlers never import a backend.
"""
from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from ask_sdk_core.dispatch_components import AbstractRequestInterceptor
from ask_sdk_core.handler_input import HandlerInput

from skill.persistence import HouseholdRepository, Loaded, StoreUnavailable, VersionConflict
from skill.persistence.schema import SCHEMA_VERSION, CorruptRecord, decode, encode
from skill.training import Household

log = logging.getLogger(__name__)
T = TypeVar("T")

REPOSITORY_KEY = "household.repository"
REQUEST_CACHE_KEY = "household.loaded"
UNAVAILABLE_KEY = "household.unavailable"
SESSION_KEY = "household"


class SaveFailed(Exception):
    """The change could not be saved (store down, throttled, or too many concurrent writers)."""


class StoreInterceptor(AbstractRequestInterceptor):
    """Makes the repository available to every handler of every request, sessionless ones included."""

    def __init__(self, repository_factory: Callable[[], HouseholdRepository]) -> None:
        self._factory = repository_factory
        self._repository: HouseholdRepository | None = None

    def process(self, handler_input: HandlerInput) -> None:
        if self._repository is None:
            self._repository = self._factory()
        handler_input.attributes_manager.request_attributes[REPOSITORY_KEY] = self._repository


def _repository(handler_input: HandlerInput) -> HouseholdRepository:
    repository = handler_input.attributes_manager.request_attributes.get(REPOSITORY_KEY)
    if not isinstance(repository, HouseholdRepository):
        raise StoreUnavailable("no progress store configured for this skill")
    return repository


def user_id(handler_input: HandlerInput) -> str:
    """The Alexa account the progress belongs to; a request naming none cannot load or save any."""
    envelope = handler_input.request_envelope
    system = getattr(envelope.context, "system", None) if envelope.context else None
    user = getattr(system, "user", None) or getattr(envelope.session, "user", None)
    value = getattr(user, "user_id", None)
    if not isinstance(value, str) or not value:
        raise StoreUnavailable("request carries no user id")
    return value


def today(handler_input: HandlerInput) -> datetime.date:
    """The date of the request as Alexa stamped it (UTC), so one turn has one notion of today."""
    stamp = getattr(handler_input.request_envelope.request, "timestamp", None)
    if isinstance(stamp, datetime.datetime):
        return stamp.astimezone(datetime.UTC).date() if stamp.tzinfo else stamp.date()
    return datetime.datetime.now(datetime.UTC).date()


def _session(handler_input: HandlerInput) -> dict[str, Any] | None:
    if handler_input.request_envelope.session is None:
        return None
    return handler_input.attributes_manager.session_attributes


def _cache(handler_input: HandlerInput, loaded: Loaded) -> None:
    handler_input.attributes_manager.request_attributes[REQUEST_CACHE_KEY] = loaded
    session = _session(handler_input)
    if session is not None:
        session[SESSION_KEY] = {"record": encode(loaded.household), "schema": SCHEMA_VERSION,
                                "version": loaded.version, "notice": loaded.notice}


def _cached(handler_input: HandlerInput) -> Loaded | None:
    request = handler_input.attributes_manager.request_attributes
    found = request.get(REQUEST_CACHE_KEY)
    if isinstance(found, Loaded):
        return found
    session = _session(handler_input) or {}
    cached = session.get(SESSION_KEY)
    if not isinstance(cached, dict):
        return None
    version = cached.get("version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        return None
    try:
        loaded = Loaded(decode(cached.get("record"), cached.get("schema")), version, cached.get("notice"))
    except CorruptRecord:
        return None
    request[REQUEST_CACHE_KEY] = loaded
    return loaded


def _load(handler_input: HandlerInput) -> Loaded:
    """Cached household, or one read from the store (raising StoreUnavailable)."""
    loaded = _cached(handler_input)
    if loaded is not None:
        return loaded
    request = handler_input.attributes_manager.request_attributes
    if request.get(UNAVAILABLE_KEY):
        raise StoreUnavailable("store already failed this turn")
    try:
        loaded = _repository(handler_input).load(user_id(handler_input), today(handler_input))
    except StoreUnavailable:
        request[UNAVAILABLE_KEY] = True
        raise
    _cache(handler_input, loaded)
    return loaded


def current(handler_input: HandlerInput) -> Household:
    """The household's progress; a fresh one (not cached) when the store cannot be read right now."""
    try:
        return _load(handler_input).household
    except StoreUnavailable as error:
        log.warning("progress store unavailable, answering without saved progress: %s", error)
        return Household.new(today(handler_input))


def available(handler_input: HandlerInput) -> bool:
    """Whether the saved progress could be read this turn (after ``current`` was called)."""
    return not handler_input.attributes_manager.request_attributes.get(UNAVAILABLE_KEY)


def update(handler_input: HandlerInput, change: Callable[[Household], T]) -> T:
    """Apply ``change`` to the household and save it with a conditional write.

    ``change`` may run more than once (it is re-applied after a conflicting write) and must only
    touch the household it is given. Raises SaveFailed when the store cannot take the write; the
    session cache then still holds the last saved state. Errors from ``change`` itself
    (e.g. ProgressError) propagate unchanged and nothing is written.
    """
    try:
        loaded = _load(handler_input)
        result, saved = _repository(handler_input).update(
            user_id(handler_input), change, today(handler_input), loaded)
    except (StoreUnavailable, VersionConflict) as error:
        log.warning("could not save progress: %s", error)
        raise SaveFailed(str(error)) from error
    _cache(handler_input, saved)
    return result


def delete(handler_input: HandlerInput) -> None:
    """Forget everything stored for this user; the session carries on as a new household."""
    try:
        _repository(handler_input).delete(user_id(handler_input))
    except StoreUnavailable as error:
        raise SaveFailed(str(error)) from error
    _cache(handler_input, Loaded(Household.new(today(handler_input)), 0))


def take_notice(handler_input: HandlerInput) -> str | None:
    """A one-time notice for the user, e.g. "recovered" after an unreadable record was replaced."""
    try:
        loaded = _load(handler_input)
    except StoreUnavailable:
        return None
    notice, loaded.notice = loaded.notice, None
    if notice:
        _cache(handler_input, loaded)
    return notice
