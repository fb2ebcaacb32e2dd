"""Fifty people at once: a real Gradio server, each conversation gets its own answers."""

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from tests.conversations import run, summary
from tests.net import free_port
from ui.app import create_app, queued


@pytest.fixture(scope="module")
def served(qa):
    """The app as `rag ui` serves it (queue limits from Settings), on a loopback port."""
    app = queued(create_app(qa), qa.settings)
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        app.close()


def test_fifty_concurrent_conversations_each_get_their_own_answers(served):
    outcomes, seconds = run(served, 50, timeout=120)
    print(summary(outcomes, seconds))
    wrong = [o for o in outcomes if not o.ok]
    assert not wrong, wrong[:3]


def test_a_full_queue_turns_callers_away_with_try_again(qa):
    app = queued(create_app(qa), qa.settings.replace(ui_concurrency=1, ui_queue_size=1))
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        jobs = [client.submit("What does RELIANT mitigate?", api_name="/chat") for _ in range(20)]
        errors, answers = [], []
        for job in jobs:
            try:
                answers.append(job.result(timeout=60))
            except Exception as err:  # gradio_client raises QueueError on a full queue
                errors.append(str(err))
        assert errors and all("Queue is full" in e and "try again" in e for e in errors), errors
        assert answers and all("bias exhibited by the student model" in a for a in answers)
    finally:
        app.close()


def test_bad_input_through_the_server_gets_a_clear_error(served):
    client = Client(served, verbose=False)
    with pytest.raises(AppError, match="question is empty"):
        client.predict("   ", api_name="/chat")
    with pytest.raises(AppError, match="must be a dict"):
        client.predict("Is it robust?", ["not a message"], api_name="/chat")
