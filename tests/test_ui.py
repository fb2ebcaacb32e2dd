"""The chat's parts without a browser: the API served for real, the HTML, turns, saved chats.

The page itself is driven in Chromium by tests/test_browser.py.
"""

import socket

import pytest
from gradio_client import Client

from rag.config import Settings
from rag.types import Answer, Location, Relevance, Source, Span
from tests.net import free_port
from ui import chats
from ui.app import answerer_choices, create_app
from ui.chat import answer_dict, chat_turn, history_of, stop
from ui.render import clean, conversation_html, rich
from ui.serve import ServeError, auth_pairs, check_address, warnings

CMT = "What NDS does the Cross Modal Transformer reach on nuScenes?"


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


def test_ask_endpoint_returns_the_answer_with_its_sources(client):
    """Issue 12, item 13: an API user gets the sources: id, file, line, score, spans."""
    answer = client.predict(CMT, api_name="/ask")
    assert "73.0% NDS" in answer["text"] and answer["found"] is True
    (source,) = answer["sources"]
    assert source["file"] == "004_ab19003648141882.txt" and source["line"] == 9
    assert len(source["id"]) > 8 and 0 < source["score"] <= 1
    start, end = source["highlights"][0]
    assert "73.0% NDS" in source["text"][start:end] or "CMT" in source["text"][start:end]
    assert source["relevance"]["terms"]


def test_api_rejects_a_bad_question_with_its_message(client):
    with pytest.raises(Exception, match="question is empty"):
        client.predict("   ", api_name="/ask")


def test_only_the_chat_and_ask_endpoints_are_public(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert sorted(endpoints) == ["/ask", "/chat"]


def source(text: str, highlights=()) -> dict:
    s = Source(
        id="abc",
        text=text,
        file="f.txt",
        line=2,
        language="en",
        score=0.5,
        locations=(Location("f.txt", 2), Location("g.txt", 7)),
        highlights=tuple(Span(*h) for h in highlights),
        relevance=Relevance(0.83, 0.5, ("cmt", "nuscenes")),
    )
    return answer_dict(Answer("Second & last. [1]", (s,)))["sources"][0]


def test_cards_escape_corpus_text_mark_used_sentences_and_say_why():
    text = "First <script>alert(1)</script> sentence. Second & last."
    turn = {"question": "q", "answer": {**answer_dict(Answer("x [1]")), "sources": []}}
    turn["answer"]["sources"] = [source(text, [(42, 56)])]
    page = conversation_html([turn])
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<mark>Second &amp; last.</mark>" in page
    assert "f.txt:2, g.txt:7" in page and "<details" in page
    assert "shared terms: cmt, nuscenes" in page and "0.830" in page
    assert 'href="#a0-1"' in page  # [1] links to this answer's own card


def test_latex_residue_is_shown_as_text_and_links_stop_at_the_url():
    """Issue 12, item 7: `\\url{…}` loses its markup and the link does not swallow `}`."""
    shown = clean(
        r"Our code is available at \url{https://github.com/WwZzz/FedGS}. \textbf{SoTA} 5\%"
    )
    assert shown == "Our code is available at https://github.com/WwZzz/FedGS. SoTA 5%"
    html = rich(shown)
    assert 'href="https://github.com/WwZzz/FedGS"' in html
    chinese = rich("代码已在https://github.com/megvii-research/icd上发布。")
    assert 'href="https://github.com/megvii-research/icd"' in chinese
    assert "javascript:" not in rich("[x](javascript:alert(1))").replace("(javascript:", "")


def test_a_draft_is_shown_as_unchecked_with_markers_not_linked():
    """Issue 12, item 4: a generated answer still being written looks like a draft."""
    draft = answer_dict(Answer("Made up. [1]", (), draft=True))
    page = conversation_html([{"question": "q", "answer": draft}])
    assert "checking citations" in page and 'class="msg assistant draft"' in page
    assert 'class="cite"' not in page


def test_a_chat_turn_streams_then_keeps_the_answer_with_its_own_sources(qa):
    states = list(chat_turn(qa, CMT, []))
    assert len(states) >= 3 and states[0][-1]["answer"] is None
    (turn,) = states[-1]
    assert turn["done"] and "73.0% NDS" in turn["answer"]["text"]
    assert turn["answer"]["sources"][0]["file"] == "004_ab19003648141882.txt"
    follow = list(chat_turn(qa, "Is it robust without LiDAR?", states[-1]))[-1]
    assert "LiDAR is missing" in follow[1]["answer"]["text"]
    assert follow[0] == turn  # the earlier answer keeps its sources


def test_a_bad_question_becomes_an_error_turn(qa):
    *_, (turn,) = chat_turn(qa, "\x00\x01", [])
    assert "question is empty" in turn["error"] and turn["done"]


def test_a_long_chat_sends_only_the_recent_window(qa):
    """Issue 12, item 6: 120 earlier turns (240 messages) no longer hit the history limit."""
    old = [
        {"question": f"question {i}", "answer": {"text": f"answer {i}"}, "done": True}
        for i in range(120)
    ]
    assert len(history_of(old, qa.settings.ui.history_messages)) == 20
    *_, last = chat_turn(qa, CMT, old)
    assert last[-1]["error"] is None and "73.0% NDS" in last[-1]["answer"]["text"]


def test_stop_keeps_a_finished_turn_and_drops_an_unchecked_draft():
    done = {"question": "q", "answer": {"text": "a"}, "done": True}
    assert stop([done]) == [done]
    (drafting,) = stop([{"question": "q", "answer": {"text": "x", "draft": True}}])
    assert drafting["stopped"] and drafting["answer"] is None and "Stopped" in drafting["error"]


def test_saved_chats_list_newest_first_rename_and_delete():
    saved, first = chats.new_chat(chats.empty())
    saved = chats.store_turns(saved, first, [{"question": "  What is  CMT? "}])
    saved, second = chats.new_chat(saved)
    assert chats.choices(saved) == [("What is CMT?", first)]  # an empty chat is not listed
    saved = chats.store_turns(saved, second, [{"question": "LGD?"}])
    assert [i for _, i in chats.choices(saved)] == [second, first]
    saved = chats.rename(saved, first, "Transformers")
    assert chats.choices(saved)[1] == ("Transformers", first)
    saved = chats.delete(saved, second)
    assert chats.choices(saved) == [("Transformers", first)] and saved["current"] == first
    assert chats.valid({"chats": "garbage"}) == chats.empty()


def test_the_answerer_menu_offers_extractive_and_says_why_others_are_missing(qa):
    choices, reasons = answerer_choices(qa)
    assert "extractive" in choices and "openai" not in choices  # no server configured
    assert "not configured" in reasons["openai"] or "langchain-openai" in reasons["openai"]


def test_a_taken_port_or_bad_host_is_one_line_saying_what_to_do():
    """Issue 12, item 3."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(ServeError, match=f"rag ui --port {port + 1}"):
            check_address("127.0.0.1", port)
    with pytest.raises(ServeError, match="not a port"):
        check_address("127.0.0.1", 70000)
    with pytest.raises(ServeError, match="--host 127.0.0.1"):
        check_address("no-such-host.invalid", 7860)


def test_start_warns_of_a_missing_answerer_and_of_no_login_beyond_loopback():
    """Issue 12, item 8, and RAG_UI_AUTH."""
    settings = Settings(answerer="llamacpp", llm_model_path="/nonexistent/model.gguf")
    (line,) = warnings(settings, "127.0.0.1")
    assert "llamacpp answerer cannot run" in line and "extractive" in line
    assert any("RAG_UI_AUTH" in w for w in warnings(Settings(), "0.0.0.0"))
    assert warnings(Settings(ui_auth="ann:secret"), "0.0.0.0") == []
    assert auth_pairs(Settings(ui_auth="ann:pw1, bob:pw2")) == [("ann", "pw1"), ("bob", "pw2")]
    with pytest.raises(ServeError, match="user:password"):
        auth_pairs(Settings(ui_auth="no-colon"))
