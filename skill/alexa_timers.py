"""The Alexa Timers API at the edge: create, read, pause, resume and delete the skill's timers.

Handlers never see SDK exceptions from here. Every failure becomes one of two things they can
say something useful about: ``TimersPermissionMissing`` (401/403: the owner never granted, or
revoked, "alexa::alerts:timers:skill:readwrite", so ask again) and ``TimersUnavailable``
(5xx, timeouts, devices without timers, requests without an API endpoint: keep time without a
timer and say so). "Timer not found" is not an error: the timer rang or was cancelled on the device.
"""
from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model.services import ServiceException
from ask_sdk_model.services.timer_management import (
        AnnounceOperation,
        CreationBehavior,
        DisplayExperience,
        NotificationConfig,
        TextToAnnounce,
        TimerRequest,
        TriggeringBehavior,
        Visibility,
    )

from skill.durations import check, iso_duration
from skill.practice import MAX_SECONDS

if TYPE_CHECKING:
    from ask_sdk_model.services.timer_management.timer_management_service_client import (
        TimerManagementServiceClient,
    )

log = logging.getLogger(__name__)


class TimersPermissionMissing(Exception):
    """The Timers API said 401 or 403: the timers permission is missing or was revoked."""


class TimersUnavailable(Exception):
    """The Timers API could not be used: server error, timeout, no endpoint, device without timers."""


class TimersFull(TimersUnavailable):
    """The account already has the ten timers the service allows (the skill's and personal ones)."""


@dataclass(frozen=True)
class TimerState:
    """What the Timers API reports about one timer, reduced to what the skill uses."""

    id: str
    status: str
    label: str | None
    duration_seconds: int | None
    trigger_time: datetime.datetime | None
    created_time: datetime.datetime | None
    remaining_when_paused_seconds: int | None


def _seconds(duration: str | None) -> int | None:
    return check(duration, longest=MAX_SECONDS).seconds


def _state(response) -> TimerState:
    status = getattr(response.status, "value", response.status)
    return TimerState(
        id=response.id,
        status=str(status or ""),
        label=response.timer_label,
        duration_seconds=_seconds(response.duration),
        trigger_time=response.trigger_time,
        created_time=response.created_time,
        remaining_when_paused_seconds=_seconds(response.remaining_time_when_paused),
    )


class AlexaTimers:
    """Small interface over TimerManagementServiceClient that speaks in the skill's terms."""

    def __init__(self, client: TimerManagementServiceClient) -> None:
        self.client = client

    @classmethod
    def for_request(cls, handler_input: HandlerInput) -> AlexaTimers:
        """The Timers API client for this request, or TimersUnavailable when Alexa gave us no way in."""
        system = handler_input.request_envelope.context.system if handler_input.request_envelope.context else None
        if system is None or not system.api_endpoint or not system.api_access_token:
            raise TimersUnavailable("request has no apiEndpoint or apiAccessToken")
        factory = handler_input.service_client_factory
        if factory is None:
            raise TimersUnavailable("skill was built without an API client")
        try:
            return cls(factory.get_timer_management_service())
        except ValueError as error:
            raise TimersUnavailable(str(error)) from error

    def _call(self, what: str, call, *args):
        try:
            return call(*args)
        except ServiceException as error:
            if error.status_code == 404:
                return None
            log.warning("Timers API %s failed: %s %s", what, error.status_code, error)
            if error.status_code in (401, 403):
                raise TimersPermissionMissing(str(error)) from error
            code = str(getattr(error.body, "code", "") or "")
            if error.status_code == 400 and "MAX_TIMERS" in code:
                raise TimersFull(f"{what}: {code}") from error
            raise TimersUnavailable(f"{what}: {error.status_code}") from error
        except Exception as error:
            log.warning("Timers API %s returned something unreadable: %s", what, error)
            raise TimersUnavailable(f"{what}: unreadable response") from error

    def create(self, *, label: str, seconds: int, announce: str, locale: str) -> TimerState:
        """An ANNOUNCE timer: when it ends the device rings and says ``announce``, session or not."""

        request = TimerRequest(
            duration=iso_duration(seconds),
            timer_label=label,
            creation_behavior=CreationBehavior(display_experience=DisplayExperience(visibility=Visibility.VISIBLE)),
            triggering_behavior=TriggeringBehavior(
                operation=AnnounceOperation(text_to_announce=[TextToAnnounce(locale=locale, text=announce)]),
                notification_config=NotificationConfig(play_audible=True),
            ),
        )
        response = self._call("create", self.client.create_timer, request)
        if response is None or not getattr(response, "id", None):
            raise TimersUnavailable("create: no timer in the answer")
        return _state(response)

    def get(self, timer_id: str) -> TimerState | None:
        response = self._call("get", self.client.get_timer, timer_id)
        return _state(response) if response is not None else None

    def all(self) -> list[TimerState]:
        response = self._call("list", self.client.get_timers)
        return [_state(t) for t in (getattr(response, "timers", None) or [])]

    def delete(self, timer_id: str) -> bool:
        """True when a timer was cancelled, False when it had already rung or been removed."""
        return self._call("delete", self._delete, timer_id) is not None

    def _delete(self, timer_id: str) -> bool:
        self.client.delete_timer(timer_id)
        return True

    def pause(self, timer_id: str) -> bool:
        return self._call("pause", self._pause, timer_id) is not None

    def _pause(self, timer_id: str) -> bool:
        self.client.pause_timer(timer_id)
        return True

    def resume(self, timer_id: str) -> bool:
        return self._call("resume", self._resume, timer_id) is not None

    def _resume(self, timer_id: str) -> bool:
        self.client.resume_timer(timer_id)
        return True
