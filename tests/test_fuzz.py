"""Properties of `ask()` and the chat under arbitrary input: only our errors, honest markers."""

from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag import Answer, QuestionError
from rag.types import cited as cited_numbers
from ui.render import conversation_html

texts = st.text(max_size=300) | st.sampled_from(
    ["", " ", "\x00", "What does RELIANT mitigate?\x00", "<img src=x onerror=alert(1)>"]
)
messages = st.one_of(
    st.fixed_dictionaries({"role": st.sampled_from(["user", "assistant"]), "content": texts}),
    st.dictionaries(st.text(max_size=8), st.none() | st.integers() | texts, max_size=3),
    st.none() | st.integers() | texts | st.lists(st.integers(), max_size=2),
)
histories = st.none() | st.lists(messages, max_size=6) | st.integers() | texts
questions = texts | st.none() | st.integers() | st.floats() | st.lists(texts, max_size=2)

fuzz = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@fuzz
@given(question=questions, history=histories)
def test_ask_raises_only_question_errors_and_markers_point_at_sources(qa, question, history):
    try:
        answer = qa.ask(question, history)
    except QuestionError:  # a ValueError or TypeError saying what to change
        return
    assert isinstance(answer, Answer)
    cited = set(cited_numbers(answer.text))
    assert cited <= set(range(1, len(answer.sources) + 1))
    # A refusal cites nothing, or, for a near-miss, the one paper that lacks the detail.
    assert bool(answer.sources) if answer.found else len(answer.sources) <= 1


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags, self.copies, self.hrefs = set(), [], []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        attrs = dict(attrs)
        if "data-copy" in attrs:
            self.copies.append(attrs["data-copy"])
        if "href" in attrs:
            self.hrefs.append(attrs["href"])


@settings(max_examples=200, deadline=None)
@given(text=st.text())
def test_chat_text_is_never_html_and_copies_back_exactly(text):
    parsed = _Tags()
    parsed.feed(conversation_html([{"question": text, "answer": None}]))
    assert parsed.tags <= {"div", "section", "button", "a"}  # only the page's own markup
    assert all(h.startswith(("http://", "https://")) for h in parsed.hrefs)
    assert parsed.copies == [text]  # Copy gives the question exactly as typed
