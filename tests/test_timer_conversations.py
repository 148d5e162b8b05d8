"""Timed practice sessions, end to end against the local HTTPS emulation of the Alexa Timers API.

The skill's real Timers code (ask-sdk-model's TimerManagementServiceClient through the skill's
API client) talks TLS to the emulator, trusting only the certificate the emulator generated.
"""
from __future__ import annotations

import time
import xml.etree.ElementTree as ET

import pytest

from skill.builder import build_skill, handle_event
from skill.persistence import HouseholdRepository
from skill.persistence.memory import MemoryStore
from skill.simulator.conversation import TIMERS_SCOPE, Conversation
from skill.simulator.timers_api import TimersApiEmulator
from skill.speech import seconds_to_say

CLIENT_TIMEOUT = 0.5


@pytest.fixture(scope="module")
def emulator():
    with TimersApiEmulator(manual_clock=True, slow_seconds=CLIENT_TIMEOUT * 3) as running:
        yield running


@pytest.fixture
def timers(emulator):
    emulator.reset(granted=False)
    return emulator


@pytest.fixture
def store():
    return MemoryStore()


@pytest.fixture
def talk(timers, store):
    skill = build_skill(store=store, api_client=timers.api_client(timeout=CLIENT_TIMEOUT))
    return Conversation(lambda event: handle_event(event, skill=skill), timers=timers)


@pytest.fixture
def granted(talk):
    """Luna's owner, who allowed timers in the Alexa app, in an open session; Luna is ready for outdoors."""
    talk.grant_timers()
    talk.say("open cat harness coach")
    talk.say("my cat's name is luna")
    talk.say("we're on step five")
    return talk


def created(timers):
    return [body for method, path, body in timers.calls if method == "POST" and path == "/v1/alerts/timers"]


def assert_voice_rules(turn):
    assert ET.fromstring(turn.ssml).tag == "speak"
    assert seconds_to_say(turn.ssml) <= 25, turn.speech
    if not turn.ends_session:
        assert turn.reprompt


def test_a_two_minute_outdoor_session_sets_an_announcing_timer(granted, timers):
    turn = granted.say("start a two minute outdoor session")
    assert "outdoor session starts now, for two minutes" in turn.speech
    assert "microchip" in turn.speech and "fear" in turn.speech
    assert "I'll ring" in turn.speech
    assert_voice_rules(turn)
    [body] = created(timers)
    assert body["duration"] == "PT2M"
    assert body["timerLabel"].startswith("Outdoor session ")
    operation = body["triggeringBehavior"]["operation"]
    assert operation["type"] == "ANNOUNCE"
    assert operation["textToAnnounce"] == [
        {"locale": "en-US", "text": "Time to end Luna's outdoor session, head back in calmly."}]
    assert len(timers.timers) == 1


def test_the_timer_rings_with_the_announcement_when_time_is_up(granted, timers):
    granted.say("start a two minute outdoor session")
    timers.advance(60)
    assert granted.say("how much time is left").speech.startswith("One minute left")
    assert timers.rung == []
    timers.advance(61)
    [rung] = timers.rung
    assert rung.announce_text == "Time to end Luna's outdoor session, head back in calmly."
    assert "Time's up" in granted.say("how much time is left").speech


def test_labels_are_unique_for_each_running_session(granted, timers):
    granted.say("start a thirty second harness session")
    granted.say("we're all done")
    granted.say("it was calm")
    granted.say("start a thirty second harness session")
    labels = [body["timerLabel"] for body in created(timers)]
    assert len(labels) == 2 and labels[0] != labels[1]


def test_stopping_cancels_the_timer_asks_how_it_went_and_logs_the_real_duration(granted, timers, store):
    granted.say("start a two minute outdoor session")
    timer_id = next(iter(timers.timers))
    timers.advance(50)
    asked = granted.say("she's had enough")
    assert ("DELETE", f"/v1/alerts/timers/{timer_id}", None) in timers.calls
    assert timers.timers == {} and timers.rung == []
    assert "after fifty seconds" in asked.speech and "calm, a little stressed, or scared" in asked.speech
    logged = granted.say("it was a little stressed")
    assert "logged" in logged.speech and "shorter" in logged.speech
    household = HouseholdRepository(store).load(granted.user_id, timers.now().date()).household
    [session] = household.active_cat.sessions
    assert (session.outcome, session.seconds, session.kind) == ("some_stress", 50, "outdoor")


def test_progress_phrasing_also_answers_how_it_went(granted, timers, store):
    granted.say("start a thirty second harness session")
    timers.advance(30)
    granted.say("we're all done")
    granted.say("she was calm")
    household = HouseholdRepository(store).load(granted.user_id, timers.now().date()).household
    [session] = household.active_cat.sessions
    assert (session.outcome, session.seconds, session.kind) == ("calm", 30, "harness")


def test_were_done_ends_the_session_not_the_skill_while_timing(granted, timers):
    granted.say("start a two minute outdoor session")
    turn = granted.say("we're done")
    assert turn.intent == "AMAZON.StopIntent"
    assert not turn.ends_session and "How did it go" in turn.speech
    assert timers.timers == {}


def test_stop_without_a_timed_session_still_closes_the_skill(granted):
    assert granted.say("stop").ends_session


def test_pause_and_resume_use_the_timers_api(granted, timers):
    granted.say("start a two minute outdoor session")
    timer_id = next(iter(timers.timers))
    timers.advance(20)
    assert "Paused, with one minute and forty seconds to go" in granted.say("pause the timer").speech
    timers.advance(300)
    assert timers.rung == []
    assert "paused, with one minute and forty seconds" in granted.say("how much time is left").speech
    granted.say("resume the timer")
    assert ("POST", f"/v1/alerts/timers/{timer_id}/pause", None) in timers.calls
    assert ("POST", f"/v1/alerts/timers/{timer_id}/resume", None) in timers.calls
    timers.advance(100)
    assert len(timers.rung) == 1


def test_no_consent_asks_for_the_timers_permission_by_voice(talk, timers):
    talk.say("open cat harness coach")
    turn = talk.say("start a two minute harness session")
    [directive] = turn.directives
    assert directive["type"] == "Connections.SendRequest" and directive["name"] == "AskFor"
    assert directive["payload"] == {"@type": "AskForPermissionsConsentRequest", "@version": "2",
                                    "permissionScope": TIMERS_SCOPE}
    assert directive["token"]
    assert turn.reprompt is None and "shouldEndSession" not in turn.response["response"]
    assert created(timers) == []


def test_accepting_the_permission_creates_the_timer_and_confirms(talk, timers):
    talk.say("open cat harness coach")
    talk.say("start a two minute harness session")
    turn = talk.say("i approve")
    assert turn.request["request"]["type"] == "Connections.Response"
    assert "Thanks for allowing timers" in turn.speech and "I'll ring" in turn.speech
    assert [body["duration"] for body in created(timers)] == ["PT2M"]
    assert_voice_rules(turn)


@pytest.mark.parametrize("answer", ["DENIED", "NOT_ANSWERED"])
def test_refusing_explains_the_app_sends_the_card_and_still_keeps_time(talk, timers, answer):
    talk.say("open cat harness coach")
    talk.say("start a two minute harness session")
    turn = talk.answer_permission(answer)
    assert "Alexa app" in turn.speech and "keep time here" in turn.speech
    assert turn.card == {"type": "AskForPermissionsConsent", "permissions": [TIMERS_SCOPE]}
    assert created(timers) == [] and not turn.directives
    assert_voice_rules(turn)
    timers.advance(45)
    assert talk.say("how much time is left").speech.startswith("One minute and fifteen seconds left")
    assert "after forty five seconds" in talk.say("we're all done").speech


def test_a_revoked_permission_is_asked_for_again(talk, timers):
    talk.grant_timers()
    talk.revoke_timers()  # the request still carries the grant; the API says 401
    talk.say("open cat harness coach")
    turn = talk.say("start a two minute harness session")
    assert "turned off" in turn.speech
    assert turn.directives[0]["name"] == "AskFor"
    again = talk.say("i approve")
    assert "I'll ring" in again.speech and len(timers.timers) == 1


@pytest.mark.parametrize("fault", [500, 504, "timeout"])
def test_a_failing_timers_api_gets_a_spoken_fallback(granted, timers, fault):
    timers.fault = fault
    started = time.monotonic()
    turn = granted.say("start a two minute outdoor session")
    assert time.monotonic() - started < CLIENT_TIMEOUT + 1.5
    assert "couldn't set a timer" in turn.speech and "keep time here" in turn.speech
    assert not turn.directives and not turn.ends_session
    timers.fault = None
    timers.advance(30)
    assert granted.say("how much time is left").speech.startswith("One minute and thirty seconds left")


def test_a_device_without_a_timers_api_gets_the_same_fallback(talk, timers):
    talk.grant_timers()
    talk.device.api_endpoint = ""
    talk.say("open cat harness coach")
    turn = talk.say("start a one minute harness session")
    assert "couldn't set a timer" in turn.speech and timers.calls == []


def test_start_a_session_asks_how_long_suggesting_the_current_steps_length(granted, timers):
    granted.say("we're on step one")
    asked = granted.say("start a session")
    assert "How long should Luna's harness session be" in asked.speech and "five seconds" in asked.speech
    granted.say("we're on step five")
    asked = granted.say("start a session")
    assert "outdoor session" in asked.speech and "about two minutes" in asked.speech
    turn = granted.say("ninety seconds")
    assert "outdoor session starts now, for one minute and thirty seconds" in turn.speech
    assert created(timers)[0]["duration"] == "PT1M30S"


def test_a_length_far_beyond_the_advice_needs_a_yes(granted, timers):
    turn = granted.say("start a forty five minute outdoor session")
    assert "Forty five minutes is a long outdoor session" in turn.speech and "three minutes" in turn.speech
    assert turn.speech.endswith("?") and created(timers) == []
    assert "starts now, for forty five minutes" in granted.say("yes").speech
    assert created(timers)[0]["duration"] == "PT45M"


def test_no_to_a_long_session_asks_for_another_length_and_sets_nothing(granted, timers):
    granted.say("start a forty five minute outdoor session")
    turn = granted.say("no")
    assert "How long should" in turn.speech and created(timers) == []
    assert granted.say("make it two minutes").speech.count("starts now") == 1


@pytest.mark.parametrize(("said", "correction"), [
    ("start a three hour outdoor session", "up to two hours"),
    ("start a zero minute outdoor session", "zero"),
])
def test_impossible_lengths_get_a_spoken_correction(granted, timers, said, correction):
    turn = granted.say(said)
    assert correction in turn.speech and turn.speech.endswith("?")
    assert created(timers) == [] and not turn.ends_session


def test_one_shot_start_sets_the_timer_and_ends_the_session(talk, timers):
    talk.grant_timers()
    turn = talk.say("ask cat harness coach to start a two minute harness session")
    assert turn.ends_session and "starts now" in turn.speech and len(timers.timers) == 1


def test_a_later_session_finds_the_running_timer_through_the_api(talk, timers):
    talk.grant_timers()
    talk.say("ask cat harness coach to start a two minute harness session")
    timers.advance(30)
    turn = talk.say("ask cat harness coach how much time is left")
    assert turn.speech.startswith("One minute and thirty seconds left")


def test_time_left_and_stop_without_a_session_offer_to_start_one(granted):
    assert "no practice session running" in granted.say("how much time is left").speech
    assert "no practice session running" in granted.say("stop the session").speech
