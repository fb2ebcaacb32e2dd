"""The Gradio chat: questions in, streamed answers out, cited abstracts as cards below.

`create_app(qa)` builds the Blocks without serving them, so tests can launch it on any
port; `launch()` builds the pipeline (and store) first, then serves. Besides the chat,
the app exposes `/chat` for `gradio_client`: message (and optional history) in, answer
text with its `[n]` markers out.

Several people can chat at once: each turn uses only its own message and history (there
is no conversation state on the server), and the queue's concurrency and size come from
`Settings.ui_concurrency` / `ui_queue_size`; when the queue is full Gradio turns the
request away with "Queue is full, please try again" instead of letting it hang.

A menu picks the answerer for each turn: the backends that are installed and configured
(`rag.llm.unavailable`), with the reason the others are not listed. Notices about an
answer (citations the check removed, a model that failed) show above the source cards.

Text is never live HTML: the chat escapes HTML and the Markdown that could make links,
images or code out of a question or an abstract, and the source cards escape everything.

Leaves out authentication.
"""

from __future__ import annotations

import html
import os
import re
import sys
from collections.abc import Iterator

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402 (the environment must be set first)

from rag.config import Settings  # noqa: E402
from rag.errors import RagError  # noqa: E402
from rag.llm import BACKENDS, unavailable  # noqa: E402
from rag.qa import QA, get_qa  # noqa: E402
from rag.types import Answer, Source  # noqa: E402

EXAMPLES = (
    "How much does LGD improve RetinaNet on COCO?",
    "What NDS does the Cross Modal Transformer reach on nuScenes?",
    "Which papers are about federated learning?",
    "LGD在COCO上提升了多少?",
    "联邦学习中如何处理非IID数据?",
)
# Markdown punctuation that could turn text into links, images, code, emphasis or tables.
_MARKDOWN = re.compile(r"([\\`*_\[\]()#|~!])")
_UNESCAPE = re.compile(r"\\([\\`*_\[\]()#|~!])")

CSS = """
.source-card { border: 1px solid var(--border-color-primary); border-radius: 8px;
               padding: 6px 12px; margin: 6px 0; }
.source-card summary { cursor: pointer; font-weight: 600; }
.source-card mark { background: #fde68a; color: inherit; padding: 0 1px; }
.source-meta { color: var(--body-text-color-subdued); font-size: 0.9em; }
.notices { color: var(--body-text-color-subdued); font-size: 0.9em; margin: 4px 0; }
"""


def text_of(content: object) -> str:
    """The text of a chat message's content, whichever shape Gradio gives it."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text", ""))
    if isinstance(content, list | tuple):
        return " ".join(text_of(part) for part in content)
    return ""


def plain_history(history: list | None, *, shown: bool = False) -> list[dict]:
    """Gradio's chat history as the `{"role", "content": str}` messages `ask()` takes.

    With `shown=True` the contents are what the chat displayed, so their escaping is undone.
    """
    out = []
    for message in history if isinstance(history, list | tuple) else []:
        role = message.get("role") if isinstance(message, dict) else None
        if role in ("user", "assistant"):
            text = text_of(message.get("content"))
            out.append({"role": role, "content": plain_text(text) if shown else text})
    return out


def highlighted(source: Source) -> str:
    """The abstract as escaped HTML with the sentences the answer used in <mark>."""
    parts, last = [], 0
    for span in source.highlights:
        parts.append(html.escape(source.text[last : span.start]))
        parts.append(f"<mark>{html.escape(source.text[span.start : span.end])}</mark>")
        last = span.end
    parts.append(html.escape(source.text[last:]))
    return "".join(parts)


def notices_html(answer: Answer | None) -> str:
    """The answer's notices (what the citation check removed, a fallback), escaped."""
    if answer is None or not answer.notices:
        return ""
    items = "".join(f"<li>{html.escape(n)}</li>" for n in answer.notices)
    return f'<ul class="notices">{items}</ul>'


def cards_html(answer: Answer | None) -> str:
    """Notices, then one expandable card per cited abstract; every corpus text is escaped."""
    if answer is None or not answer.sources:
        return notices_html(answer)
    cards = []
    for n, s in enumerate(answer.sources, start=1):
        language = {"en": "English", "zh": "Chinese"}.get(s.language, s.language)
        cards.append(
            f'<details class="source-card"{" open" if n == 1 else ""}>'
            f"<summary>[{n}] {html.escape(s.file)}:{s.line} · {language} · "
            f"score {s.score:.2f}</summary>"
            f'<p lang="{s.language}">{highlighted(s)}</p>'
            f'<p class="source-meta">Appears at: {html.escape(s.where)} · id {s.id}</p>'
            "</details>"
        )
    return notices_html(answer) + "<h4>Sources</h4>" + "".join(cards)


def chat_markdown(text: str) -> str:
    """Text for the Chatbot, which renders Markdown: shown as typed, never as HTML or links."""
    return html.escape(_MARKDOWN.sub(r"\\\1", text), quote=False)


def plain_text(shown: str) -> str:
    """The text `chat_markdown` was given (its exact inverse)."""
    return _UNESCAPE.sub(r"\1", html.unescape(shown))


def answerer_choices(settings: Settings) -> tuple[list[str], str]:
    """The backends that can answer with these settings, and a note on those that cannot."""
    reasons = {b: unavailable(settings, b) for b in BACKENDS}
    missing = "; ".join(f"{b}: {r}" for b, r in reasons.items() if r)
    return [b for b, r in reasons.items() if r is None], (
        f"Not available: {missing}" if missing else ""
    )


def chat_turn(
    qa: QA, message: str, history: list | None, answerer: str | None = None
) -> Iterator[tuple[str, list, str]]:
    """One chat turn, streamed: yields (textbox value, shown messages, source cards HTML).

    `answerer` is the backend picked in the menu; None means the settings' default.

    Errors a person can fix are shown in the conversation, and the question is put back in
    the textbox to be edited.
    """
    prior = plain_history(history, shown=True)
    shown = [
        *({"role": m["role"], "content": chat_markdown(m["content"])} for m in prior),
        {"role": "user", "content": chat_markdown(message if isinstance(message, str) else "")},
        {"role": "assistant", "content": ""},
    ]
    try:
        answer = None
        for answer in qa.stream(message, prior, answerer=answerer):
            shown[-1]["content"] = chat_markdown(answer.text)
            yield "", shown, ""
        yield "", shown, cards_html(answer)
    except RagError as err:
        shown[-1]["content"] = f"⚠️ {chat_markdown(str(err))}"
        yield message, shown, ""


def create_app(qa: QA) -> gr.Blocks:
    """The chat app over an already loaded pipeline; serve it through `queued(app, qa.settings)`."""

    def respond(message: str, history: list, answerer: str) -> Iterator[tuple[str, list, str]]:
        yield from chat_turn(qa, message, history, answerer or None)

    def chat_api(message: str, history: list[dict] | None = None) -> str:
        """Answer a question; returns the answer text with [n] markers."""
        try:
            return qa.ask(message, history).text  # malformed history: a clear TypeError
        except RagError as err:
            raise gr.Error(str(err), print_exception=False) from err

    with gr.Blocks(title="abstracts-qa", analytics_enabled=False) as app:
        gr.Markdown(
            "## Ask the abstracts\n"
            f"Questions in English or Chinese about {len(qa.index.store.abstracts)} research-paper "
            "abstracts. Answers quote the abstracts and cite them as [n]; the cited abstracts "
            "open below, with the sentences used highlighted."
        )
        chatbot = gr.Chatbot(
            label="Conversation",
            height=420,
            buttons=["copy"],
            sanitize_html=True,  # the default, stated: a second guard behind chat_markdown
            latex_delimiters=[],  # "$$" in an abstract is text, not a formula
        )
        with gr.Row():
            box = gr.Textbox(
                placeholder="Ask a question… / 提一个问题…",
                show_label=False,
                scale=8,
                autofocus=True,
            )
            send = gr.Button("Ask", variant="primary", scale=1)
            clear = gr.Button("Clear chat", scale=1)
        choices, missing = answerer_choices(qa.settings)
        default = qa.settings.answer.answerer
        default = default if default in choices else "extractive"
        answerer = gr.Dropdown(
            choices=choices,
            value=default,
            label="Answerer",
            info="extractive quotes the abstracts; llamacpp and openai generate, and their "
            "citations are checked against the abstracts. " + missing,
        )
        gr.Examples(list(EXAMPLES), inputs=box, label="Examples")
        cards = gr.HTML()
        for trigger in (box.submit, send.click):
            trigger(
                respond,
                [box, chatbot, answerer],
                [box, chatbot, cards],
                api_visibility="private",
            )
        clear.click(lambda: ("", [], ""), None, [box, chatbot, cards], api_visibility="private")
        chatbot.clear(lambda: "", None, cards, api_visibility="private")  # its own trash icon
        gr.api(chat_api, api_name="chat")
    return app


def launch(settings: Settings | None = None, *, host: str = "127.0.0.1", port: int = 7860) -> None:
    """Load the pipeline (building the store if needed), then serve the chat until Ctrl-C."""
    qa = get_qa(settings)
    queued(create_app(qa), qa.settings).launch(
        server_name=host, server_port=port, css=CSS, show_error=False
    )


def queued(app: gr.Blocks, settings: Settings) -> gr.Blocks:
    """The app with its queue limits from settings: so many at once, so many waiting."""
    return app.queue(
        default_concurrency_limit=settings.ui.concurrency, max_size=settings.ui.queue_size
    )


def main() -> None:
    """`python -m ui.app [PORT]`: the chat with settings from `RAG_*` (`rag ui` has options)."""
    launch(port=int(sys.argv[1]) if len(sys.argv) > 1 else 7860)


if __name__ == "__main__":
    main()
