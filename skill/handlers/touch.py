"""Touching a button on the screen means the same as saying it.

The screens' buttons send ``Alexa.Presentation.APL.UserEvent`` requests with the arguments
``["tap", action]`` (or ``["goto", step]`` from a step marker). Before dispatch, this interceptor
replaces such a request with the IntentRequest the spoken words would have produced, so "Next"
on the screen runs the very handler "Alexa, next" runs: one implementation of navigation, one
set of session rules. Anything else a device sends this way becomes AMAZON.FallbackIntent, which
answers with what the skill can do.
"""
from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Intent, IntentConfirmationStatus, IntentRequest, Slot, SlotConfirmationStatus

USER_EVENT = "Alexa.Presentation.APL.UserEvent"
TAPS = {
    "next": "AMAZON.NextIntent",
    "previous": "AMAZON.PreviousIntent",
    "repeat": "AMAZON.RepeatIntent",
    "start_session": "StartSessionIntent",
    "done": "StopSessionIntent",
}
FALLBACK = "AMAZON.FallbackIntent"


def tapped_intent(arguments: list[object] | None) -> Intent:
    """The intent a tap stands for: ``["tap", "next"]`` -> AMAZON.NextIntent, ``["goto", 3]`` -> StepIntent 3."""
    kind, value = ((arguments or []) + [None, None])[:2]
    if kind == "tap" and isinstance(value, str) and value in TAPS:
        return Intent(name=TAPS[value], slots={}, confirmation_status=IntentConfirmationStatus.NONE)
    if kind == "goto" and str(value).isdigit():
        slot = Slot(name="step", value=str(value), confirmation_status=SlotConfirmationStatus.NONE)
        return Intent(name="StepIntent", slots={"step": slot}, confirmation_status=IntentConfirmationStatus.NONE)
    return Intent(name=FALLBACK, slots={}, confirmation_status=IntentConfirmationStatus.NONE)


class TapInterceptor(AbstractRequestInterceptor):
    """Turns a screen tap into the IntentRequest of the words it stands for, before any handler sees it."""

    def process(self, handler_input: HandlerInput) -> None:
        request = handler_input.request_envelope.request
        if request is None or request.object_type != USER_EVENT:
            return
        handler_input.request_envelope.request = IntentRequest(
            request_id=request.request_id, timestamp=request.timestamp, locale=request.locale,
            intent=tapped_intent(getattr(request, "arguments", None)))


INTERCEPTORS = [TapInterceptor()]
