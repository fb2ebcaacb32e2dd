"""The Gradio app: the chat, its saved conversations, the corpus view, and the API.

`create_app(qa)` builds the Blocks without serving them, so tests can launch it on any
port; `ui.serve.launch()` checks the address, builds the store if needed, then serves.

- Chat: the conversation is our own escaped HTML (`ui/render.py`): each answer keeps its
  own source cards, `[n]` opens its card, Copy gives plain text, and a generated answer is
  marked as a draft until its citations are checked. Stop, Regenerate and Edit last
  question act on the last turn. Settings (answerer, sources per answer, years) are in
  the page.
- Saved conversations live in the browser (`ui/chats.py`): a reload keeps them.
- Corpus: browse and search the abstracts, see the store, rebuild it with a progress bar.
- API: `/chat` (message, optional history -> answer text with `[n]`) and `/ask` (the same
  in, the answer with its sources as JSON out).

Conversations share nothing on the server: each request carries its own turns, and the
queue's size and concurrency come from `Settings.ui_concurrency` / `ui_queue_size`.
Leaves out server-side storage of chats and user accounts beyond Gradio's login.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402 (the environment must be set first)

from rag.config import Settings  # noqa: E402
from rag.errors import RagError  # noqa: E402
from rag.llm import BACKENDS, unavailable  # noqa: E402
from rag.qa import QA  # noqa: E402
from rag.scope import parse_years  # noqa: E402
from ui import chats, corpus_view, render  # noqa: E402
from ui.assets import CSS, HEAD  # noqa: E402
from ui.chat import answer_dict, chat_turn, log_answer, stop  # noqa: E402
from ui.stopping import StopRequests  # noqa: E402

EXAMPLES = (
    "How much does LGD improve RetinaNet on COCO?",
    "What NDS does the Cross Modal Transformer reach on nuScenes?",
    "Which papers are about federated learning?",
    "LGD在COCO上提升了多少?",
    "联邦学习中如何处理非IID数据?",
)
# Gradio's default theme puts white on orange (2.8:1) and grey footers (1.9:1); these
# colours keep every text of the page at 4.5:1 or more in both schemes.
THEME = gr.themes.Default(primary_hue="blue").set(
    button_primary_background_fill="#1d4ed8",
    button_primary_background_fill_hover="#1e40af",
    button_primary_background_fill_dark="#1d4ed8",
    button_primary_background_fill_hover_dark="#1e40af",
    button_cancel_background_fill="#b91c1c",
    button_cancel_background_fill_hover="#991b1b",
    body_text_color_subdued="#4b5563",
    body_text_color_subdued_dark="#d1d5db",
)
PAGE = {"css": CSS, "head": HEAD, "theme": THEME}  # launch(**PAGE): Gradio 6 takes them there
MAX_TOP_K = 10  # the slider's end: more sources than this no longer fit a reader's view


def answerer_choices(qa: QA) -> tuple[list[str], dict[str, str]]:
    """The backends that can answer here, and why each of the others cannot."""
    reasons = {b: None if b in qa.answerers else unavailable(qa.settings, b) for b in BACKENDS}
    return [b for b, r in reasons.items() if r is None], {b: r for b, r in reasons.items() if r}


def banner_html(qa: QA, reasons: dict[str, str]) -> str:
    """A visible warning when the configured answerer cannot run; empty otherwise."""
    name = qa.settings.answer.answerer
    if name not in reasons:
        return ""
    return (
        f'<div class="banner" role="status">The <b>{name}</b> answerer cannot run '
        f"({render.rich(reasons[name])}); answers come from <b>extractive</b> quotes.</div>"
    )


def _session(request: gr.Request | None) -> str:
    """The browser session a request comes from ("" for a direct call, as in tests)."""
    return (request.session_hash if request is not None else None) or ""


def create_app(qa: QA) -> gr.Blocks:
    """The app over an already loaded pipeline; serve it through `queued(app, qa.settings)`."""
    settings = qa.settings
    choices, reasons = answerer_choices(qa)
    variants: dict[int, QA] = {settings.retrieval.top_k: qa}
    stops = StopRequests()

    def pipeline(top_k: float | None) -> QA:
        """The pipeline with `top_k` sources per answer, sharing the loaded model and store."""
        k = int(top_k or settings.retrieval.top_k)
        if k not in variants:
            variants[k] = QA(
                settings.replace(top_k=k),
                embedder=qa.embedder,
                index=qa.index,
                answerers=qa.answerers,
            )
        return variants[k]

    def respond(
        message: str,
        turns: list,
        answerer: str,
        top_k: float,
        years: str = "",
        request: gr.Request | None = None,
    ) -> Iterator[tuple]:
        if not (message or "").strip():  # an empty submit changes nothing
            yield gr.skip(), gr.skip(), gr.skip()
            return
        try:
            where = {"year": parse_years(years)} if (years or "").strip() else None
        except RagError as err:
            now = [
                *(turns or []),
                {
                    "question": message,
                    "answer": None,
                    "error": str(err),
                    "done": True,
                    "stopped": False,
                },
            ]
            yield "", now, render.conversation_html(now)
            return
        session = _session(request)
        stops.begin(session)
        steps = chat_turn(pipeline(top_k), message, turns or [], answerer or None, where)
        try:
            for now in steps:
                if stops.asked(session):  # this answer is the page's only writer (ui/stopping.py)
                    now = stop(now)
                    yield "", now, render.conversation_html(now)
                    return
                yield "", now, render.conversation_html(now)
        finally:
            steps.close()  # ends a model's stream too

    def regenerate(
        turns: list,
        answerer: str,
        top_k: float,
        years: str = "",
        request: gr.Request | None = None,
    ) -> Iterator[tuple]:
        if not turns:
            yield gr.skip(), gr.skip(), gr.skip()
            return
        yield from respond(turns[-1]["question"], turns[:-1], answerer, top_k, years, request)

    def edit_last(turns: list) -> tuple:
        if not turns:
            return gr.skip(), gr.skip(), gr.skip()
        rest = turns[:-1]
        return turns[-1]["question"], rest, render.conversation_html(rest)

    def stopped(request: gr.Request | None = None) -> None:
        stops.ask(_session(request))

    def save(saved: dict, chat_id: str, turns: list) -> tuple:
        saved = chats.store_turns(saved, chat_id, turns)
        listed = chat_id in saved["chats"]
        title = saved["chats"][chat_id]["title"] if listed else ""
        return (
            saved,
            gr.update(choices=chats.choices(saved), value=chat_id if listed else None),
            title,
        )

    def renamed(saved: dict, chat_id: str, title: str) -> tuple:
        saved = chats.rename(saved, chat_id, title)
        listed = chat_id in saved["chats"]
        return saved, gr.update(choices=chats.choices(saved), value=chat_id if listed else None)

    def show(saved: dict) -> tuple:
        """The current chat of `saved`, everywhere it appears."""
        chat_id, turns = chats.current(saved)
        saved = {**chats.valid(saved), "current": chat_id}
        title = saved["chats"].get(chat_id, {}).get("title", "")
        listed = chat_id in saved["chats"]
        return (
            saved,
            chat_id,
            turns,
            render.conversation_html(turns),
            gr.update(choices=chats.choices(saved), value=chat_id if listed else None),
            title,
        )

    def chat_api(message: str, history: list[dict] | None = None) -> str:
        """Answer a question; returns the answer text with [n] markers."""
        return ask_api(message, history)["text"]

    def ask_api(message: str, history: list[dict] | None = None) -> dict:
        """Answer a question; returns the answer with its sources (id, file, line, score,
        highlights as [start, end) character spans of the source's text, relevance)."""
        started = time.monotonic()
        try:
            answer = qa.ask(message, history)
        except RagError as err:
            raise gr.Error(str(err), print_exception=False) from err
        log_answer(answer, time.monotonic() - started, "api")
        return answer_dict(answer)

    with gr.Blocks(title="abstracts-qa", analytics_enabled=False) as app:
        # The secret only ties the saved chats to this corpus and store (a restart keeps
        # them); they stay readable to anyone using this browser profile.
        key = hashlib.sha256(
            f"{settings.store.corpus_dir}|{settings.store.store_dir}".encode()
        ).hexdigest()
        saved = gr.BrowserState(chats.empty(), storage_key="abstracts-qa-chats", secret=key)
        chat_id, turns = gr.State(""), gr.State([])
        with gr.Sidebar(label="Chats", open=False, elem_id="chats"):  # open, it covers a phone
            new = gr.Button("New chat", variant="primary", size="sm")
            listing = gr.Radio(label="Saved chats", choices=[], elem_id="chat-list")
            title = gr.Textbox(label="Title of this chat", max_lines=1, elem_id="chat-title")
            with gr.Row():
                rename_btn = gr.Button("Rename", size="sm")
                delete_btn = gr.Button("Delete chat", variant="stop", size="sm")
        gr.Markdown(
            "## Ask the abstracts\n"
            f"Questions in English or Chinese about {len(qa.index.store.abstracts)} research-paper "
            "abstracts. Answers quote the abstracts and cite them as [n]: click a marker to "
            "open its source, with the sentences used highlighted."
        )
        gr.HTML(banner_html(qa, reasons), js_on_load=None, elem_id="banner")
        with gr.Tab("Chat"):
            conversation = gr.HTML(
                render.conversation_html([]), js_on_load=None, elem_id="conversation"
            )
            with gr.Row(equal_height=True):
                box = gr.Textbox(
                    placeholder="Ask a question… / 提一个问题…",
                    show_label=False,
                    scale=8,
                    autofocus=True,
                    elem_id="question",
                    max_lines=6,
                )
                send = gr.Button("Ask", variant="primary", scale=1, min_width=70)
                halt = gr.Button("Stop", variant="stop", scale=1, min_width=70)
            with gr.Row():
                again = gr.Button("Regenerate last answer", size="sm")
                edit = gr.Button("Edit last question", size="sm")
                fresh = gr.Button("New chat", size="sm")
            with gr.Accordion("Answer settings", open=False, elem_id="settings"):
                default = (
                    settings.answer.answerer
                    if settings.answer.answerer in choices
                    else "extractive"
                )
                answerer = gr.Dropdown(choices=choices, value=default, label="Answerer")
                missing = "".join(f"<li>{b}: {render.rich(r)}</li>" for b, r in reasons.items())
                gr.HTML(
                    '<div class="answerer-note">extractive quotes the abstracts; llamacpp and '
                    "openai write an answer whose citations are checked against the "
                    "abstracts."
                    + (f" Not available here:<ul>{missing}</ul>" if missing else "")
                    + "</div>",
                    js_on_load=None,
                )
                top_k = gr.Slider(
                    1,
                    MAX_TOP_K,
                    value=settings.retrieval.top_k,
                    step=1,
                    label="Most sources per answer",
                    elem_id="top-k",
                )
                years = gr.Textbox(
                    label="Only papers of these years",
                    placeholder="2022, 2022.., ..2021 or 2020..2022 (empty: all)",
                    max_lines=1,
                    elem_id="years",
                )
            gr.Examples(list(EXAMPLES), inputs=box, label="Examples")
        with gr.Tab("Corpus"):
            corpus_view.build(qa)

        asking = [box, turns, answerer, top_k, years]
        shown = [box, turns, conversation]
        keep = {"fn": save, "inputs": [saved, chat_id, turns], "outputs": [saved, listing, title]}
        private = {"api_visibility": "private"}
        events = [
            box.submit(respond, asking, shown, **private),
            send.click(respond, asking, shown, **private),
            again.click(regenerate, [turns, answerer, top_k, years], shown, **private),
        ]
        for event in events:
            event.then(**keep, **private)
        halt.click(stopped, None, None, queue=False, **private)
        edit.click(edit_last, [turns], shown, **private).then(**keep, **private)
        everything = [saved, chat_id, turns, conversation, listing, title]
        for button in (new, fresh):
            button.click(lambda s: show(chats.new_chat(s)[0]), [saved], everything, **private)
        listing.input(
            lambda s, i: show({**chats.valid(s), "current": i}),
            [saved, listing],
            everything,
            **private,
        )
        rename_btn.click(renamed, [saved, chat_id, title], [saved, listing], **private)
        delete_btn.click(
            lambda s, i: show(chats.delete(s, i)), [saved, chat_id], everything, **private
        )
        app.load(show, [saved], everything, **private)
        gr.api(chat_api, api_name="chat")
        gr.api(ask_api, api_name="ask")
    return app


def queued(app: gr.Blocks, settings: Settings) -> gr.Blocks:
    """The app with its queue limits from settings: so many at once, so many waiting."""
    return app.queue(
        default_concurrency_limit=settings.ui.concurrency, max_size=settings.ui.queue_size
    )


def main() -> None:
    """`python -m ui.app [--host H] [--port N]`: the chat with settings from `RAG_*`."""
    import argparse
    import sys

    from ui.serve import launch

    parser = argparse.ArgumentParser(prog="python -m ui.app", description=main.__doc__)
    parser.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT", 7860)))
    args = parser.parse_args()
    try:
        launch(host=args.host, port=args.port)
    except RagError as err:
        sys.exit(f"Error: {err}")


if __name__ == "__main__":
    main()
