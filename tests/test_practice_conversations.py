"""Practices that follow the guide, across Alexa sessions, against the HTTPS Timers API emulation.

The emulator's clock is the clock: requests carry its time as their timestamp, so moving it moves
the skill's notion of now too.
"""
from __future__ import annotations

import boto3
import pytest

from skill.builder import build_skill, handle_event
from skill.persistence import HouseholdRepository
from skill.persistence.memory import MemoryStore
from skill.practice import ASK_ABOUT_WITHIN_SECONDS
from skill.simulator.conversation import Conversation
from skill.simulator.timers_api import MAX_TIMERS, TimersApiEmulator
from skill.speech import plain_text
from tests.support import dynamodb_local
from tests.test_persistence_dynamodb import CREDENTIALS, make_store


@pytest.fixture(scope="module")
def emulator():
    with TimersApiEmulator(manual_clock=True) as running:
        yield running


@pytest.fixture
def timers(emulator):
    emulator.reset(granted=True)
    return emulator


@pytest.fixture
def store():
    return MemoryStore()


@pytest.fixture
def luna(timers, store):
    """Luna's owner, timers allowed; Luna is at step five (first trips outside)."""
    skill = build_skill(store=store, api_client=timers.api_client())
    talk = Conversation(lambda event: handle_event(event, skill=skill), timers=timers)
    talk.grant_timers()
    talk.say("open cat harness coach")
    talk.say("my cat's name is luna")
    talk.say("we're on step five")
    return talk


def household(talk, store, timers):
    return HouseholdRepository(store).load(talk.user_id, timers.now().date()).household


def deletes(timers):
    return [path for method, path, _ in timers.calls if method == "DELETE"]


def test_after_the_ring_the_next_launch_asks_how_it_went_and_logs_kind_length_and_outcome(luna, timers, store):
    luna.say("start a two minute outdoor session")
    luna.silence()  # the owner walks away; the Alexa session closes
    assert not luna.in_session
    assert len(timers.advance(150)) == 1  # the Echo rang
    welcome = luna.say("open cat harness coach")
    assert welcome.speech.startswith("Welcome back. How did Luna's outdoor session go?")
    logged = luna.say("she was calm")
    assert "calm outdoor session of two minutes" in logged.speech
    [practice] = household(luna, store, timers).active_cat.sessions
    assert (practice.kind, practice.seconds, practice.outcome) == ("outdoor", 120, "calm")
    assert household(luna, store, timers).practice is None
    assert "Welcome back. Luna is on step five" in luna.say("open cat harness coach").speech


def test_were_done_in_a_new_alexa_session_finds_the_practice(luna, timers, store):
    luna.say("start a two minute outdoor session")
    luna.silence()
    timers.advance(40)
    still = luna.say("open cat harness coach")
    assert "outdoor session is still running, with one minute and twenty seconds left" in still.speech
    ended = luna.say("we're done")
    assert "after forty seconds" in ended.speech and len(deletes(timers)) == 1
    luna.say("it was a little stressed")
    [practice] = household(luna, store, timers).active_cat.sessions
    assert (practice.kind, practice.seconds, practice.outcome) == ("outdoor", 40, "some_stress")


def test_stop_the_session_as_a_one_shot_finds_the_kept_practice(luna, timers):
    luna.say("start a two minute outdoor session")
    luna.silence()
    timers.advance(30)
    turn = luna.say("ask cat harness coach to stop the session")
    assert "after thirty seconds" in turn.speech and len(deletes(timers)) == 1


def test_a_scare_mid_practice_ends_it_now_cancels_the_timer_and_logs_it_scared(luna, timers, store):
    luna.say("start a two minute outdoor session")
    timer_id = next(iter(timers.timers))
    timers.advance(35)
    turn = luna.say("she's scared")
    assert turn.speech.startswith("End it now")
    assert turn.card["title"] == "Your cat is panicking right now"  # the long version stays on the card
    assert len(plain_text(turn.ssml).split()) <= 30, turn.speech
    assert "harness" not in turn.speech and "doorway session" in turn.speech  # the easier practice next
    assert deletes(timers) == [f"/v1/alerts/timers/{timer_id}"] and timers.timers == {}
    [practice] = household(luna, store, timers).active_cat.sessions
    assert (practice.kind, practice.seconds, practice.outcome) == ("outdoor", 35, "scared")
    assert household(luna, store, timers).practice is None
    assert turn.reprompt and not turn.ends_session


@pytest.mark.parametrize("said", ["she's hissing", "she got scared", "my cat is terrified",
                                  "there's a dog running straight at us", "a truck just backfired and she froze flat"])
def test_any_urgent_phrasing_while_a_practice_runs_ends_it(luna, timers, store, said):
    luna.say("start a two minute outdoor session")
    timers.advance(20)
    assert luna.say(said).speech.startswith("End it now")
    assert [s.outcome for s in household(luna, store, timers).active_cat.sessions] == ["scared"]


def test_words_the_skill_cannot_place_mid_practice_still_tell_the_owner_how_to_end_it(luna, timers, store):
    # Alexa's fallback carries no words, and they may be a scare: the way out comes before what the coach can do.
    luna.say("start a two minute outdoor session")
    timers.advance(20)
    turn = luna.say("purple monkey dishwasher")
    assert turn.intent == "AMAZON.FallbackIntent"
    assert turn.speech.startswith("Sorry, I can't help with that one. If your cat seems frightened right now, end the session")
    assert len(timers.timers) == 1 and household(luna, store, timers).active_cat.sessions == []
    assert "frightened" not in Conversation().say("ask cat harness coach purple monkey dishwasher").speech


def test_a_scare_without_a_practice_gets_the_urgent_answer(luna):
    turn = luna.say("she's hissing")
    assert not turn.speech.startswith("End it now")


def test_a_practice_ahead_of_the_cats_step_is_explained_and_can_be_insisted_on(luna, timers, store):
    luna.say("we're on step one")
    asked = luna.say("start a two minute outdoor session")
    assert "Outdoor sessions belong to step five" in asked.speech
    assert "Luna is on step one" in asked.speech and "harness session of about five seconds" in asked.speech
    assert asked.speech.endswith("?") and timers.timers == {}
    started = luna.say("yes")
    assert "outdoor session starts now" in started.speech and len(timers.timers) == 1
    assert household(luna, store, timers).practice["ahead"] is True
    timers.advance(120)
    luna.say("we're all done")
    luna.say("it was calm")
    [practice] = household(luna, store, timers).active_cat.sessions
    assert (practice.step, practice.kind, practice.seconds) == (1, "outdoor", 120)


def test_no_to_a_practice_ahead_offers_the_one_that_fits(luna, timers):
    luna.say("we're on step one")
    luna.say("start a two minute outdoor session")
    turn = luna.say("no")
    assert "harness session" in turn.speech and "five seconds" in turn.speech and timers.timers == {}


def test_lengths_and_advice_follow_the_cats_step(luna, timers):
    luna.say("we're on step one")
    asked = luna.say("start a session")
    assert "harness session" in asked.speech and "five seconds" in asked.speech
    long = luna.say("start a five minute harness session")
    assert "no more than two minutes" in long.speech


def test_a_device_with_ten_timers_gets_a_clear_answer_and_time_is_kept_here(luna, timers):
    timers.personal_timers = MAX_TIMERS
    turn = luna.say("start a two minute outdoor session")
    assert "already has ten timers" in turn.speech and "keep time here" in turn.speech
    assert timers.timers == {} and turn.reprompt
    timers.advance(30)
    assert luna.say("how much time is left").speech.startswith("One minute and thirty seconds left")


def test_the_emulator_refuses_a_duplicate_label_and_an_eleventh_timer(timers):
    auth = {"authorization": "Bearer token"}
    body = {"duration": "PT1M", "timerLabel": "Outdoor session aaaa",
            "triggeringBehavior": {"operation": {"type": "NOTIFY_ONLY"}}}
    assert timers.handle("POST", "/v1/alerts/timers", auth, body)[0] == 200
    status, answer = timers.handle("POST", "/v1/alerts/timers", auth, body)
    assert (status, answer["code"]) == (400, "DUPLICATE_TIMER_LABEL")
    timers.personal_timers = MAX_TIMERS - 1
    status, answer = timers.handle("POST", "/v1/alerts/timers", auth, {**body, "timerLabel": "other"})
    assert (status, answer["code"]) == (400, "MAX_TIMERS_EXCEEDED")


def test_a_stale_practice_is_closed_quietly(luna, timers, store):
    luna.say("start a two minute outdoor session")
    luna.silence()
    timers.advance(120 + ASK_ABOUT_WITHIN_SECONDS + 60)
    welcome = luna.say("open cat harness coach")
    assert "How did" not in welcome.speech and "Welcome back. Luna is on step five" in welcome.speech
    assert household(luna, store, timers).practice is None
    assert household(luna, store, timers).active_cat.sessions == []


@pytest.mark.parametrize("said", ["start training over", "delete my data"])
def test_reset_and_delete_cancel_the_running_timer(luna, timers, store, said):
    luna.say("start a two minute outdoor session")
    timer_id = next(iter(timers.timers))
    luna.say(said)
    luna.say("yes")
    assert f"/v1/alerts/timers/{timer_id}" in deletes(timers) and timers.timers == {}
    assert household(luna, store, timers).practice is None


def test_a_permission_revoked_between_sessions_is_asked_for_again(luna, timers):
    luna.say("goodbye")
    luna.revoke_timers()
    luna.say("open cat harness coach")
    turn = luna.say("start a two minute outdoor session")
    assert "turned off" in turn.speech and turn.directives[0]["name"] == "AskFor"
    assert "I'll ring" in luna.say("i approve").speech and len(timers.timers) == 1


@pytest.mark.dynamodb
def test_a_running_practice_is_kept_in_dynamodb_and_asked_about_at_the_next_launch(dynamodb_server, timers):
    client = boto3.client("dynamodb", endpoint_url=dynamodb_server.endpoint, region_name=dynamodb_local.REGION,
                          **CREDENTIALS)
    name = f"practice-{timers.now().timestamp():.0f}"
    client.create_table(TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                        BillingMode="PAY_PER_REQUEST")
    store = make_store(dynamodb_server.endpoint, name)
    skill = build_skill(store=store, api_client=timers.api_client())
    talk = Conversation(lambda event: handle_event(event, skill=skill), timers=timers)
    talk.grant_timers()
    talk.say("open cat harness coach")
    talk.say("we're on step five")
    talk.say("start a two minute outdoor session")
    talk.silence()
    timers.advance(200)
    assert "How did your cat's outdoor session go?" in talk.say("open cat harness coach").speech
    talk.say("it was calm")
    [practice] = HouseholdRepository(store).load(talk.user_id, timers.now().date()).household.active_cat.sessions
    assert (practice.kind, practice.seconds, practice.outcome) == ("outdoor", 120, "calm")


@pytest.mark.parametrize(("said", "logged"), [
    ("not great he got a bit wobbly and then scared near the end", "scared"),
    ("bit iffy but okay in the end", "some_stress"),
])
def test_an_answer_naming_several_outcomes_is_logged_as_the_most_telling(luna, timers, store, said, logged):
    luna.say("start a two minute outdoor session")
    luna.silence()
    timers.advance(150)
    assert "How did Luna's outdoor session go?" in luna.say("open cat harness coach").speech
    luna.say(said)
    [practice] = household(luna, store, timers).active_cat.sessions
    assert practice.outcome == logged
