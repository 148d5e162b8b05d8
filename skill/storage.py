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

from skill.logs import event, hash_user_id
from skill.persistence import HouseholdRepository, Loaded, StoreUnavailable, VersionConflict
from skill.persistence.schema import SCHEMA_VERSION, CorruptRecord, decode, encode
from skill.training import Household

log = logging.getLogger(__name__)
T = TypeVar("T")

REPOSITORY_KEY = "household.repository"
REQUEST_CACHE_KEY = "household.loaded"
UNAVAILABLE_KEY = "household.unavailable"
SESSION_KEY = "household"
# A write whose outcome is unknown (timed out after it was sent): its change id and request fingerprint.
UNSURE_KEY = "household.unsure"


class SaveFailed(Exception):
    """The change could not be saved (store down, throttled, or too many concurrent writers).

    ``unsure`` is True when the write may still land (it timed out after being sent): the owner
    must not hear that nothing changed. The next turn re-reads the store to find out.
    """

    def __init__(self, message: str, *, unsure: bool = False) -> None:
        super().__init__(message)
        self.unsure = unsure


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
        try:
            return stamp.astimezone(datetime.UTC).date() if stamp.tzinfo else stamp.date()
        except OverflowError:
            return stamp.date()  # year 1 at +14:00 or 9999 at -14:00: UTC is off the calendar
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
    if UNSURE_KEY in session:
        return None  # a write may have landed since: read the store, not the session
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
        event(log, logging.WARNING, "store_unavailable_answering_without_progress", code=error.code,
              user=_hashed_user(handler_input))
        return Household.new(today(handler_input))


def cached(handler_input: HandlerInput) -> Household | None:
    """The household if this session has already read it, else None; never reads the store.

    For extras such as a screen's step markers, which must not add a read to a pure question.
    """
    loaded = _cached(handler_input)
    return loaded.household if loaded is not None else None


def available(handler_input: HandlerInput) -> bool:
    """Whether the saved progress could be read this turn (after ``current`` was called)."""
    return not handler_input.attributes_manager.request_attributes.get(UNAVAILABLE_KEY)


def update(handler_input: HandlerInput, change: Callable[[Household], T]) -> T:
    """Apply ``change`` to the household and save it with a conditional write, once per request.

    The change is identified by the Alexa ``requestId``, so a replayed request is acknowledged
    without being applied again. After a write with an unknown outcome, the same request said
    again (same intent and slots) carries the first one's id: if that write landed, it is
    acknowledged, not applied twice. ``change`` may run more than once and must only touch the
    household it is given. Raises SaveFailed when the store cannot take the write; the session
    cache then still holds the last saved state. Errors from ``change`` itself (e.g.
    ProgressError) propagate unchanged and nothing is written.
    """
    session = _session(handler_input)
    unsure = session.get(UNSURE_KEY) if session is not None else None
    fingerprint = _fingerprint(handler_input)
    change_id = _request_id(handler_input)
    if isinstance(unsure, dict) and unsure.get("fingerprint") == fingerprint and isinstance(unsure.get("id"), str):
        change_id = unsure["id"]
    try:
        loaded = _load(handler_input)
        result, saved = _repository(handler_input).update(
            user_id(handler_input), change, today(handler_input), loaded, change_id=change_id)
    except (StoreUnavailable, VersionConflict) as error:
        outcome_unknown = isinstance(error, StoreUnavailable) and error.outcome_unknown
        event(log, logging.WARNING, "save_failed", user=_hashed_user(handler_input), change_id=change_id,
              code=getattr(error, "code", None) or type(error).__name__, outcome_unknown=outcome_unknown)
        if outcome_unknown and session is not None and change_id is not None:
            session[UNSURE_KEY] = {"id": change_id, "fingerprint": fingerprint}
            session.pop(SESSION_KEY, None)
            handler_input.attributes_manager.request_attributes.pop(REQUEST_CACHE_KEY, None)
        raise SaveFailed(str(error), unsure=outcome_unknown) from error
    if session is not None:
        session.pop(UNSURE_KEY, None)
    _cache(handler_input, saved)
    return result


def _request_id(handler_input: HandlerInput) -> str | None:
    request_id = getattr(handler_input.request_envelope.request, "request_id", None)
    return request_id if isinstance(request_id, str) and request_id else None


def _fingerprint(handler_input: HandlerInput) -> str:
    """What the owner asked for: intent and slot values, so the same words said again can be recognised."""
    intent = getattr(handler_input.request_envelope.request, "intent", None)
    slots = getattr(intent, "slots", None) or {}
    said = sorted((str(name), str(getattr(slot, "value", None))) for name, slot in slots.items())
    return f"{getattr(intent, 'name', None)}|{said}"


def _hashed_user(handler_input: HandlerInput) -> str | None:
    try:
        return hash_user_id(user_id(handler_input))
    except StoreUnavailable:
        return None


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
