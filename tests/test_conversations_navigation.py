"""Moving through the steps like a recipe, and the certification basics: one-shot, help, stop, fallback."""
from __future__ import annotations

from skill.content import guide
from skill.simulator.envelopes import intent_request, session_ended_request
from skill.simulator.nlu import IntentMatch


def opened(talk):
    talk.say("open cat harness coach")
    return talk


def test_next_before_anything_started_begins_at_step_one(talk):
    opened(talk)
    assert talk.say("what's next").speech.startswith("Step one, meeting the harness.")


def test_next_and_previous_walk_the_steps_in_order(talk):
    opened(talk)
    talk.say("tell me step two")
    assert talk.say("next").speech.startswith("Step three, the leash indoors.")
    assert talk.say("next step").speech.startswith("Step four, calm at the door.")
    assert talk.say("previous").speech.startswith("Step three")
    assert talk.say("go back").speech.startswith("Step two")


def test_next_past_step_five_says_that_was_the_last_step(talk):
    opened(talk)
    talk.say("go to step five")
    turn = talk.say("next")
    assert "That was the last step, step five." in turn.speech
    assert "start over" in turn.speech
    assert not turn.ends_session and turn.reprompt


def test_previous_at_step_one_offers_step_one_again(talk):
    opened(talk)
    talk.say("tell me step one")
    turn = talk.say("go back")
    assert "already at step one" in turn.speech
    assert talk.say("yes").speech.startswith("Step one, meeting the harness.")


def test_previous_with_nothing_started_does_not_crash(talk):
    opened(talk)
    turn = talk.say("previous")
    assert "already at step one" in turn.speech
    assert not turn.ends_session


def test_step_out_of_range_says_how_many_steps_there_are(talk):
    opened(talk)
    turn = talk.say("go to step nine")
    assert "There's no step nine" in turn.speech
    assert "five steps" in turn.speech
    assert turn.reprompt and not turn.ends_session


def test_step_zero_is_out_of_range_too(talk):
    opened(talk)
    assert "There's no step zero" in talk.say("tell me step zero").speech


def test_repeat_replays_speech_reprompt_and_card_exactly(talk):
    opened(talk)
    answer = talk.say("what are the safety rules")
    again = talk.say("repeat that")
    assert again.ssml == answer.ssml
    assert again.reprompt_ssml == answer.reprompt_ssml
    assert again.card == answer.card


def test_repeat_after_more_replays_the_latest_chunk(talk):
    opened(talk)
    talk.say("tell me step one")
    second = talk.say("more")
    assert talk.say("say that again").ssml == second.ssml


def test_repeat_right_after_the_welcome_replays_the_welcome(talk):
    welcome = talk.say("open cat harness coach")
    assert talk.say("repeat").ssml == welcome.ssml


def test_repeat_as_the_first_request_explains_there_is_nothing_yet(talk):
    turn = talk.say("ask cat harness coach to repeat that")
    assert "haven't said anything yet" in turn.speech


def test_start_over_goes_back_to_step_one(talk):
    opened(talk)
    talk.say("go to step four")
    assert talk.say("start over").speech.startswith("Step one, meeting the harness.")
    assert talk.say("next").speech.startswith("Step two")


def test_more_gives_every_chunk_of_a_step_in_order(talk):
    opened(talk)
    step = guide().step(1)
    heard = [talk.say("tell me step one").speech]
    for _ in step.speech[1:]:
        heard.append(talk.say("more").speech)
    for said, chunk in zip(heard, step.speech, strict=True):
        assert chunk in said
    assert all("Want to hear more?" in said for said in heard[:-1])
    assert "Want to hear more?" not in heard[-1]
    assert "Say next for step two" in heard[-1]


def test_yes_to_want_to_hear_more_gives_chunk_two(talk):
    opened(talk)
    entry = guide().entry("safety_rules")
    first = talk.say("what are the safety rules")
    assert first.speech.rstrip().endswith("Want to hear more?")
    assert entry.speech[1] in talk.say("yes").speech


def test_no_to_want_to_hear_more_keeps_the_session_and_asks_what_else(talk):
    opened(talk)
    talk.say("what are the safety rules")
    turn = talk.say("no")
    assert "What else would you like to know?" in turn.speech
    assert not turn.ends_session and turn.reprompt
    assert "Nothing" not in talk.say("more").speech


def test_more_when_everything_was_said(talk):
    opened(talk)
    talk.say("is a retractable leash okay")
    turn = talk.say("more")
    assert "That's everything I have on that." in turn.speech
    assert not turn.ends_session


def test_one_shot_collar_question_answers_and_ends(talk):
    turn = talk.say("ask cat harness coach whether a collar is okay")
    assert "Never use a collar" in turn.speech
    assert turn.ends_session
    assert turn.reprompt is None
    assert turn.card["content"]


def test_one_shot_step_answers_and_ends_with_the_card(talk):
    turn = talk.say("ask cat harness coach what's step two")
    assert turn.speech.startswith("Step two")
    assert "Alexa app" in turn.speech
    assert turn.ends_session


def test_help_keeps_the_session_open(talk):
    opened(talk)
    turn = talk.say("help")
    assert "five short steps" in turn.speech
    assert turn.reprompt and not turn.ends_session


def test_stop_and_cancel_end_without_a_reprompt(talk):
    for said in ("stop", "cancel", "never mind"):
        opened(talk)
        turn = talk.say(said)
        assert turn.ends_session, said
        assert turn.reprompt is None, said
        assert "Goodbye" in turn.speech


def test_navigate_home_ends_cleanly(talk):
    opened(talk)
    turn = talk.send(intent_request(IntentMatch("AMAZON.NavigateHomeIntent")))
    assert turn.ends_session and turn.reprompt is None


def test_fallback_keeps_the_session_and_offers_options(talk):
    opened(talk)
    turn = talk.say("purple monkey dishwasher")
    assert turn.intent == "AMAZON.FallbackIntent"
    assert "five training steps" in turn.speech
    assert turn.reprompt and "step one" in turn.reprompt
    assert not turn.ends_session


def test_unknown_intent_name_gets_the_helpful_fallback(talk):
    opened(talk)
    turn = talk.send(intent_request(IntentMatch("FooBarIntent")))
    assert turn.speech.startswith("Sorry, I can't help with that one.")
    assert turn.reprompt and not turn.ends_session


def test_session_ended_request_is_answered_silently(talk):
    opened(talk)
    turn = talk.send(session_ended_request("USER_INITIATED"))
    assert turn.response is not None
    assert turn.ssml == "" and turn.card is None


def test_session_ended_with_error_is_answered_silently(talk):
    opened(talk)
    request = {**session_ended_request("ERROR"), "error": {"type": "INVALID_RESPONSE", "message": "bad"}}
    assert talk.send(request).ssml == ""


def test_unknown_request_type_does_not_crash(talk):
    opened(talk)
    turn = talk.send({"type": "Display.ElementSelected", "token": "x"})
    assert turn.response["version"] == "1.0"
    assert turn.ssml == ""


def test_silence_after_the_reprompt_closes_the_session(talk):
    opened(talk)
    talk.silence()
    assert not talk.in_session
