"""The Gradio app, served for real on a free port and queried through gradio_client."""

import socket

import pytest
from gradio_client import Client

from rag.types import Answer, Location, Source, Span
from ui.app import answerer_choices, cards_html, chat_turn, create_app, plain_history

CMT = "What NDS does the Cross Modal Transformer reach on nuScenes?"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def client(qa):
    app = create_app(qa).queue()
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        yield Client(f"http://127.0.0.1:{port}/", verbose=False)
    finally:
        app.close()


def test_chat_endpoint_answers_with_markers(client, qa):
    text = client.predict(CMT, api_name="/chat")
    assert "73.0% NDS on nuScenes benchmark. [1]" in text
    assert text == qa.ask(CMT).text


def test_chat_endpoint_takes_history_for_follow_ups(client):
    history = [{"role": "user", "content": CMT}, {"role": "assistant", "content": "73.0% NDS [1]"}]
    text = client.predict("Is it robust without LiDAR?", history, api_name="/chat")
    assert "LiDAR is missing. [1]" in text


def test_chat_endpoint_answers_chinese(client):
    assert "39.0%" in client.predict("LGD在COCO上提升了多少?", api_name="/chat")


def test_only_the_chat_endpoint_is_public(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert list(endpoints) == ["/chat"]


def test_source_cards_escape_corpus_text_and_mark_used_sentences():
    text = "First <script>alert(1)</script> sentence. Second & last."
    source = Source(
        id="abc",
        text=text,
        file="f.txt",
        line=2,
        language="en",
        score=0.5,
        locations=(Location("f.txt", 2), Location("g.txt", 7)),
        highlights=(Span(42, 56),),
    )
    page = cards_html(Answer("Second & last. [1]", (source,)))
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<mark>Second &amp; last.</mark>" in page
    assert "f.txt:2, g.txt:7" in page and "<details" in page


def test_gradio_history_shapes_become_plain_messages():
    history = [
        {"role": "user", "content": [{"type": "text", "text": "hi"}]},
        {"role": "assistant", "content": "hello"},
        {"role": "system", "content": "ignored"},
    ]
    assert plain_history(history) == [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "hello"},
    ]


def test_a_chat_turn_streams_then_shows_the_cited_cards(qa):
    turns = list(chat_turn(qa, CMT, []))
    assert len(turns) >= 2
    box, shown, cards = turns[-1]
    assert box == "" and shown[0] == {"role": "user", "content": CMT}
    assert "73.0% NDS" in shown[-1]["content"]
    assert "004_ab19003648141882.txt:9" in cards and "<mark>" in cards
    assert all(t[2] == "" for t in turns[:-1])  # cards appear once the answer is complete


def test_a_bad_question_is_shown_in_the_chat_not_raised(qa):
    ((box, shown, cards),) = list(chat_turn(qa, "   ", []))
    assert box == "   " and "question is empty" in shown[-1]["content"] and cards == ""


def test_html_and_markdown_in_a_question_are_shown_as_text_and_read_back(qa):
    attack = "<img src=x onerror=alert(1)> ![x](http://evil/x.png) [click](javascript:alert(1))"
    ((box, shown, cards),) = list(chat_turn(qa, attack, []))[-1:]
    for message in shown:
        assert "<img" not in message["content"] and "](" not in message["content"]
    follow = list(chat_turn(qa, CMT, shown))[-1][1]
    assert plain_history(follow, shown=True)[0]["content"] == attack  # history reads back exact
    assert "73.0% NDS" in follow[-1]["content"]


def test_the_answerer_menu_offers_extractive_and_says_why_others_are_missing(qa):
    choices, missing = answerer_choices(qa.settings)
    assert "extractive" in choices and "openai" not in choices  # no server configured
    assert "openai: not configured" in missing or "openai: langchain-openai" in missing


def test_a_fallback_notice_shows_above_the_sources(qa):
    *_, (box, shown, cards) = chat_turn(qa, CMT, [], "openai")
    assert "73.0% NDS" in shown[-1]["content"]
    assert '<ul class="notices">' in cards and "could not answer" in cards
    assert cards.index("notices") < cards.index("Sources")
