"""Echo Show and Fire TV: every screen, sent only to devices that can show it, touched like it is spoken.

Each conversation runs twice, on an Echo Show and on an Echo Dot: the Show gets the screen, the Dot
the very same speech and no APL at all. Every document the skill sent is validated with Amazon's
apl-suggester (offline, zero findings), and every path a document binds exists in the data sent.
"""
from __future__ import annotations

import json
from typing import Any

import pytest

from skill import interaction_model, screens
from skill.builder import build_skill, handle_event
from skill.persistence.memory import MemoryStore
from skill.simulator import envelopes
from skill.simulator.conversation import Conversation, Turn
from skill.simulator.screen_text import render_text
from skill.simulator.timers_api import TimersApiEmulator
from tests.support import apl

RENDER = "Alexa.Presentation.APL.RenderDocument"
# Alexa's documented limit for a whole response is 24 kB; a screen should leave most of it free.
RESPONSE_LIMIT = 24 * 1024
RESPONSE_BUDGET = 12 * 1024

# Each screen, and what a user says to get it (after "open cat harness coach").
SCREENS = {
    "welcome": [],
    "step": ["what's step two"],
    "topic": ["is rolling normal"],
    "urgent": ["she's hissing"],
    "progress": ["my cat's name is luna", "she was calm", "how is my cat doing"],
}


def conversation(device: envelopes.Device, store: MemoryStore | None = None) -> Conversation:
    skill = build_skill(store=store or MemoryStore())
    return Conversation(lambda event: handle_event(event, skill=skill), device=device)


def play(device: envelopes.Device, lines: list[str]) -> list[Turn]:
    talk = conversation(device)
    return [talk.say(line) for line in ["open cat harness coach", *lines]]


def apl_directives(turn: Turn) -> list[dict[str, Any]]:
    return [d for d in turn.directives if d.get("type", "").startswith("Alexa.Presentation.APL")]


def screen_data(turn: Turn) -> dict[str, Any]:
    assert turn.screen is not None, f"no screen after {turn.said!r}"
    return turn.screen["datasources"]["screen"]


@pytest.fixture(scope="module")
def sent_screens() -> dict[str, Turn]:
    """The last turn of every screen's conversation on an Echo Show."""
    return {view: play(envelopes.echo_show(), lines)[-1] for view, lines in SCREENS.items()}


@pytest.fixture(scope="module")
def emulator():
    with TimersApiEmulator(manual_clock=True) as running:
        yield running


@pytest.fixture
def timed(emulator):
    """Luna's owner on an Echo Show, timers allowed, Luna at step two (where indoor practices belong)."""
    emulator.timers.clear()
    emulator.granted = True
    skill = build_skill(store=MemoryStore(), api_client=emulator.api_client())
    talk = Conversation(lambda event: handle_event(event, skill=skill), timers=emulator, device=envelopes.echo_show())
    talk.grant_timers()
    talk.say("open cat harness coach")
    talk.say("my cat's name is luna")
    talk.say("we're on step two")
    return talk


# -- which screen, on which device -------------------------------------------------------------------

@pytest.mark.parametrize("view", sorted(SCREENS))
def test_an_echo_show_gets_the_screen_and_an_echo_dot_the_same_speech_without_one(view):
    on_show = play(envelopes.echo_show(), SCREENS[view])
    on_dot = play(envelopes.echo_dot(), SCREENS[view])
    assert screen_data(on_show[-1])["view"] == view
    assert on_show[-1].screen["token"] == f"chc:{view}"
    for show_turn, dot_turn in zip(on_show, on_dot, strict=True):
        assert show_turn.speech == dot_turn.speech
        assert show_turn.reprompt == dot_turn.reprompt
        assert apl_directives(dot_turn) == []


def test_the_step_screen_shows_which_step_its_key_points_and_the_cats_progress(sent_screens):
    data = screen_data(sent_screens["step"])
    assert data["title"] == "Step 2: Moving in the harness"
    assert data["subtitle"] == "Step 2 of 5"
    assert "Keep sessions short and finish while your cat is calm." in [p["text"] for p in data["points"]]
    assert [(s["number"], s["state"], s["shown"]) for s in data["steps"]] == [
        (1, "current", False), (2, "ahead", True), (3, "ahead", False), (4, "ahead", False), (5, "ahead", False)]
    assert [b["action"] for b in data["buttons"]] == ["previous", "next", "repeat", "start_session"]
    assert data["hint"] == 'Try "Alexa, next step"'


def test_screen_text_comes_from_the_guide_not_a_second_copy(sent_screens):
    from skill.content import guide

    step = guide().step(2)
    assert [p["text"] for p in screen_data(sent_screens["step"])["points"]] == screens.key_points(step)
    assert all(f"- {point}" in step.card for point in screens.key_points(step))


def test_the_urgent_screen_shows_the_actions_and_nothing_else(sent_screens):
    data = screen_data(sent_screens["urgent"])
    assert set(data) == {"view", "title", "actions"}
    assert "End the session now." in data["actions"]


def test_welcome_back_names_the_cat_and_its_step():
    store = MemoryStore()
    first = conversation(envelopes.echo_show(), store)
    first.user_id = "amzn1.ask.account.luna-owner"
    for line in ["open cat harness coach", "my cat's name is luna", "we're on step three"]:
        first.say(line)
    again = conversation(envelopes.echo_show(), store)
    again.user_id = first.user_id
    data = screen_data(again.say("open cat harness coach"))
    assert data["title"] == "Welcome back, Luna"
    assert data["subtitle"] == "Step 3 of 5: the leash indoors"
    assert [s["state"] for s in data["steps"]] == ["done", "done", "current", "ahead", "ahead"]


def test_the_progress_screen_lists_each_cat_with_its_step_and_recent_sessions(sent_screens):
    data = screen_data(sent_screens["progress"])
    assert data["points"][0]["text"] == "Luna: step 1, meeting the harness"
    assert data["points"][0]["detail"].startswith("Recent: ") and data["points"][0]["detail"].endswith(" calm")


# -- the running session -------------------------------------------------------------------------------

def test_a_running_session_counts_down_on_the_device_from_the_time_left(timed):
    data = screen_data(timed.say("start a two minute indoor session"))
    assert data["view"] == "session"
    assert data["title"] == "Luna's indoor session"
    assert (data["remainingMs"], data["totalMs"], data["ticking"]) == (120_000, 120_000, True)
    timed.timers.advance(30)
    later = screen_data(timed.say("how much time is left"))
    assert later["remainingMs"] == 90_000
    paused = screen_data(timed.say("pause"))
    assert paused["ticking"] is False


def test_the_countdown_and_end_time_are_computed_on_the_device():
    """No request ticks the clock: the document subtracts APL's elapsedTime and adds localTime itself."""
    text = json.dumps(screens.document("session"))
    assert "screen.remainingMs - (screen.ticking ? elapsedTime : 0)" in text
    assert "Time.format('h:mm', localTime + left)" in text


def test_the_session_screen_validates_and_binds_only_what_it_is_sent(timed):
    turn = timed.say("start a two minute indoor session")
    assert apl.validate({"session": turn.screen["document"]}) == {"session": []}
    assert apl.unbound_paths(turn.screen["document"], screen_data(turn)) == []


# -- validation and size -----------------------------------------------------------------------------

def test_every_document_the_skill_can_send_has_zero_apl_suggester_findings():
    names = sorted(set(screens.DOCUMENT_FOR_VIEW.values()))
    assert apl.validate({name: screens.document(name) for name in names}) == {name: [] for name in names}


def test_the_validator_does_find_problems_so_a_clean_result_means_something():
    broken = json.loads(json.dumps(screens.document("page")))
    broken["mainTemplate"]["items"][0]["items"][1]["fontSizee"] = "20dp"
    findings = apl.validate({"broken": broken})["broken"]
    assert any("fontSizee" in finding["message"] for finding in findings)


@pytest.mark.parametrize("view", sorted(SCREENS))
def test_every_path_a_screen_binds_is_in_the_data_sent_with_it(sent_screens, view):
    turn = sent_screens[view]
    assert apl.unbound_paths(turn.screen["document"], screen_data(turn)) == []


def test_a_binding_the_data_lacks_is_reported():
    document = {"mainTemplate": {"items": [{"type": "Text", "text": "${screen.nope}"},
                                           {"type": "Container", "data": "${screen.points}",
                                            "items": [{"type": "Text", "text": "${data.missing}"}]}]}}
    assert apl.unbound_paths(document, {"points": [{"text": "x"}]}) == ["screen.nope", "data.missing (element 0)"]


@pytest.mark.parametrize("view", sorted(SCREENS))
def test_responses_with_a_screen_stay_well_under_alexas_size_limit(sent_screens, view):
    size = len(json.dumps(sent_screens[view].response, separators=(",", ":")).encode())
    assert size < RESPONSE_BUDGET < RESPONSE_LIMIT


def test_a_household_of_eight_cats_with_full_logs_still_fits():
    talk = conversation(envelopes.echo_show())
    talk.say("open cat harness coach")
    for name in ["luna", "milo", "nala", "simba", "cleo", "oscar", "tiger", "bella"]:
        talk.say(f"switch to {name}")
        talk.say("yes")
        for _ in range(3):
            talk.say("she was a bit nervous for two minutes")
    turn = talk.say("how is my cat doing")
    assert len(screen_data(turn)["points"]) == 8
    assert len(json.dumps(turn.response, separators=(",", ":")).encode()) < RESPONSE_LIMIT


# -- touch ---------------------------------------------------------------------------------------------

TAPS_AND_WORDS = [
    (["what's step two"], "next", "next"),
    (["what's step three"], "previous", "go back"),
    (["what's step two"], "repeat", "repeat that"),
    (["what's step two"], "start_session", "start a session"),
]


@pytest.mark.parametrize("before, tap, words", TAPS_AND_WORDS)
def test_a_tap_answers_exactly_as_the_words_it_stands_for(before, tap, words):
    by_voice = play(envelopes.echo_show(), [*before, words])[-1]
    touching = conversation(envelopes.echo_show())
    for line in ["open cat harness coach", *before]:
        touching.say(line)
    by_touch = touching.tap(tap)
    assert by_touch.request["request"]["type"] == "Alexa.Presentation.APL.UserEvent"
    assert by_touch.speech == by_voice.speech
    assert by_touch.reprompt == by_voice.reprompt
    assert by_touch.attributes.get("step") == by_voice.attributes.get("step")
    assert (by_touch.screen or {}).get("datasources") == (by_voice.screen or {}).get("datasources")


def test_tapping_a_step_marker_opens_that_step():
    talk = conversation(envelopes.echo_show())
    talk.say("open cat harness coach")
    turn = talk.tap("goto", 4)
    assert turn.speech.startswith("Step four")
    assert screen_data(turn)["subtitle"] == "Step 4 of 5"


def test_tapping_done_ends_the_running_session_and_asks_how_it_went(timed):
    timed.say("start a two minute indoor session")
    turn = timed.tap("done")
    assert "How did it go?" in turn.speech
    assert turn.attributes.get("practice") is None


def test_a_button_the_screen_does_not_show_cannot_be_tapped():
    talk = conversation(envelopes.echo_show())
    talk.say("open cat harness coach")
    talk.say("what's step five")
    assert talk.tap("next").response is None


@pytest.mark.parametrize("arguments", [["tap", "launch_missiles"], ["goto", "x"], [], ["tap"], [42, None]])
def test_a_touch_event_the_skill_does_not_know_gets_a_spoken_way_forward(arguments):
    talk = conversation(envelopes.echo_show())
    talk.say("open cat harness coach")
    turn = talk.send(envelopes.user_event(arguments, "chc:welcome"), "(odd touch)")
    assert turn.speech and not turn.ends_session
    assert turn.reprompt


# -- devices and the manifest ---------------------------------------------------------------------------

def _dp(viewport: dict[str, Any], key: str) -> int:
    return round(viewport[key] * 160 / viewport["dpi"])


@pytest.mark.parametrize("device", ["show", "spot", "tv"])
def test_the_manifest_declares_apl_with_a_viewport_for_each_device_with_a_screen(device):
    manifest = interaction_model.skill_manifest()["manifest"]
    (interface,) = manifest["apis"]["custom"]["interfaces"]
    assert interface["type"] == "ALEXA_PRESENTATION_APL"
    viewport = envelopes.DEVICES[device]().viewport
    assert viewport is not None
    width, height = _dp(viewport, "pixelWidth"), _dp(viewport, "pixelHeight")
    assert any(v["mode"] == viewport["mode"] and v["shape"] == viewport["shape"]
               and v["minWidth"] <= width <= v["maxWidth"] and v["minHeight"] <= height <= v["maxHeight"]
               for v in interface["supportedViewports"])


@pytest.mark.parametrize("device", ["spot", "tv"])
def test_round_hubs_and_tvs_get_the_same_screens(device):
    turn = play(envelopes.DEVICES[device](), ["what's step two"])[-1]
    assert screen_data(turn)["view"] == "step"


# -- the simulator -------------------------------------------------------------------------------------

def test_the_text_rendering_shows_title_list_and_buttons(sent_screens):
    lines = render_text(sent_screens["step"].screen)
    assert lines[0] == "screen: step (chc:step)"
    assert "| Step 2: Moving in the harness" in lines
    assert "| • Keep sessions short and finish while your cat is calm." in lines
    assert any(line.startswith("| buttons: [Previous] [Next] [Repeat] [Start session]") for line in lines)


def test_chat_on_a_show_prints_the_screen_and_accepts_a_tap(capsys):
    from skill.simulator import chat

    talk = conversation(envelopes.echo_show())
    chat.run_script(talk, ["open cat harness coach", "what's step two", ":tap next"])
    turns = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert turns[1]["screen"][0] == "screen: step (chc:step)"
    assert turns[2]["said"] == "(tap next)"
    assert turns[2]["speech"].startswith("Step three")
    assert "| Step 3: The leash indoors" in turns[2]["screen"]


class CountingStore(MemoryStore):
    def __init__(self) -> None:
        super().__init__()
        self.loads = 0

    def load(self, user_id: str) -> Any:
        self.loads += 1
        return super().load(user_id)


def test_a_one_shot_guide_question_on_a_show_reads_no_progress():
    store = CountingStore()
    talk = conversation(envelopes.echo_show(), store)
    turn = talk.say("ask cat harness coach what's step two")
    assert screen_data(turn)["subtitle"] == "Step 2 of 5"
    assert [s["state"] for s in screen_data(turn)["steps"]] == ["ahead"] * 5
    assert store.loads == 0
