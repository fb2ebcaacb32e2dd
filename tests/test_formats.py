"""A corpus mixing every format, built into a real store: answers cite the right entry
with its title and year, a scope narrows them where the vectors are searched, titles are
searched, and a file added while serving is answered from without a restart.

The store of tests/data/formats (seven abstracts) is built once for this module: seconds.
"""

import json
import shutil
from pathlib import Path

import pytest

import rag
from rag import QA, QuestionError, Settings
from rag.cli_output import format_answer
from rag.corpus import add_files, default_corpus_dir
from rag.lexical import tokenize
from rag.scope import check
from rag.store import open_store
from ui.chat import answer_dict
from ui.render import conversation_html

FORMATS = Path(__file__).parent / "data" / "formats"


@pytest.fixture(scope="module")
def mixed(tmp_path_factory, embedder) -> QA:
    store = tmp_path_factory.mktemp("formats") / "store"
    return QA(Settings(corpus_dir=FORMATS, store_dir=store), embedder=embedder, progress=False)


@pytest.mark.parametrize(
    ("question", "fact", "file", "title", "year"),
    [
        (
            "What NDS does CMT reach on nuScenes?",
            "73.0% NDS",
            "refs.bib",
            "CMT: Cross Modal Transformer for Fast and Robust 3D Object Detection",
            2023,
        ),
        (
            "LGD在COCO上提升了多少?",
            "36.2%到39.0%",
            "library.ris",
            "LGD: Label-Guided Self-Distillation for Object Detection",
            2022,
        ),
        (
            "What does RELIANT mitigate?",
            "mitigate the bias",
            "export.csv",
            "RELIANT: Fair Knowledge Distillation for Graph Neural Networks",
            2023,
        ),
        (
            "How many sequences of unlabeled lidar data does the Lidar Dataset contain?",
            "20,000 sequences",
            "arxiv-snapshot.jsonl",
            "Argoverse 2: Next Generation Datasets for Self-Driving Perception and Forecasting",
            2023,
        ),
        (
            "What Top-1 accuracy do the EMO models achieve?",
            "71.5, 75.1, and 78.4 Top-1",
            "reading-list.json",
            "Rethinking Mobile Block for Efficient Attention-based Models",
            2023,
        ),
    ],
)
def test_each_format_is_answered_citing_its_entry_with_title_and_year(
    mixed, question, fact, file, title, year
):
    answer = mixed.ask(question)
    assert answer.found and fact in answer.text
    best = answer.sources[0]
    assert (best.file, best.title, best.year) == (file, title, year)
    assert best.url and best.authors


def test_a_seed_entry_is_named_by_a_label_derived_from_its_abstract(mixed):
    answer = mixed.ask("How much faster is asynchronous federated learning than synchronous?")
    best = answer.sources[0]
    assert best.file == "notes.txt" and best.title is None and best.year is None
    assert "[label from the abstract]" in format_answer(answer)


def test_the_cli_and_the_chat_show_title_first_author_year_and_link(mixed):
    answer = mixed.ask("What NDS does CMT reach on nuScenes?")
    printed = format_answer(answer)
    assert "[1] refs.bib:4" in printed
    assert (
        "CMT: Cross Modal Transformer for Fast and Robust 3D Object Detection — Müller et al. "
        "(2023)  https://arxiv.org/abs/2301.01283"
    ) in printed
    turn = {"question": "q", "answer": answer_dict(answer), "done": True}
    page = conversation_html([turn])
    assert (
        "Cross Modal Transformer for Fast and Robust 3D Object Detection — Müller et al. (2023)"
        in page
    )
    assert 'href="https://arxiv.org/abs/2301.01283"' in page
    assert "Müller, Jörg; García, Ana; Østergaard, Søren" in page
    api = answer_dict(answer)["sources"][0]
    assert (api["title"], api["year"], api["derived"]) == (answer.sources[0].title, 2023, False)


def test_a_year_scope_narrows_the_answers(mixed):
    question = "Which papers are about object detection?"
    everything = {s.file for s in mixed.ask(question).sources}
    assert "library.ris" in everything  # LGD, 2022
    recent = mixed.ask(question, where={"year": {"$gte": 2023}})
    assert recent.sources and all(s.year >= 2023 for s in recent.sources)
    older = mixed.ask(question, where={"year": {"$lte": 2022}})
    assert [s.title for s in older.sources] == [
        "LGD: Label-Guided Self-Distillation for Object Detection"
    ]
    assert not mixed.ask("What NDS does CMT reach on nuScenes?", where={"year": 2019}).found


def test_an_author_scope_matches_names_without_accents(mixed):
    answer = mixed.ask("Which papers are about object detection?", where={"authors": "Garcia"})
    assert [s.file for s in answer.sources] == ["refs.bib"]


def test_the_scope_filters_the_chunks_where_their_vectors_are_searched(mixed, embedder):
    """The build writes each paper's year and author words beside the vectors (rows.json,
    as Chroma gets them), and the numpy search filters on them before it picks the
    nearest: one chunk asked for in a scope is the nearest in scope, not none."""
    store = mixed.index.store
    papers = json.loads((store.generation / "rows.json").read_text("utf-8"))["papers"]
    assert {aid for aid, m in papers.items() if m.get("year") == 2022} == {
        a.id for a in store.abstracts.values() if a.year == 2022
    }
    cmt = next(a for a in store.abstracts.values() if a.locations[0].file == "refs.bib")
    assert {"muller", "jorg", "garcia"} <= set(papers[cmt.id]["authors"])
    vector = embedder.embed_query("What NDS does CMT reach on nuScenes?")
    nearest = [store.search(vector, 1, lang) for lang in ("en", "zh")]
    assert cmt.id in {aid for found in nearest for aid, _ in found}
    older = [store.search(vector, 1, lang, check({"year": 2022})) for lang in ("en", "zh")]
    assert any(older) and all(store.abstracts[aid].year == 2022 for f in older for aid, _ in f)
    by_muller = store.search(vector, 50, "en", check({"authors": "Muller"}))
    assert by_muller and {aid for aid, _ in by_muller} == {cmt.id}
    with pytest.raises(QuestionError, match="takes 'year' and 'authors'"):
        mixed.ask("What NDS does CMT reach?", where={"venue": "ICCV"})


def test_metadata_survives_a_reopen_of_the_store(mixed, embedder):
    reopened = open_store(mixed.settings, embedder)
    cmt = next(a for a in reopened.abstracts.values() if a.locations[0].file == "refs.bib")
    assert cmt.authors == ("Müller, Jörg", "García, Ana", "Østergaard, Søren")
    assert (cmt.year, cmt.url) == (2023, "https://arxiv.org/abs/2301.01283")


def test_a_question_naming_a_title_finds_that_paper(mixed):
    """LGD's abstract is Chinese; only its English title holds these words."""
    hits = mixed.retriever.search("Label-Guided Self-Distillation for Object Detection")
    assert hits[0].relevant and hits[0].abstract.locations[0].file == "library.ris"
    # The build tokenized the title into the saved terms (terms.json), which readers load.
    store = mixed.index.store
    lgd = hits[0].abstract
    first = next(c for c in store.chunks if c.abstract_id == lgd.id and c.index == 0)
    assert store.terms is not None
    title = set(tokenize(lgd.title))
    assert "guided" in title and "guided" not in tokenize(lgd.text)
    assert title <= set(store.terms.chunks[first.id]) and title <= store.terms.abstracts[lgd.id]


def test_a_file_added_while_serving_is_answered_without_a_restart(tmp_path, embedder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(FORMATS / "refs.bib", corpus)
    settings = Settings(corpus_dir=corpus, store_dir=tmp_path / "store")
    qa = QA(settings, embedder=embedder, progress=False)
    new = next(
        line
        for line in (default_corpus_dir() / "003_8fc4711d48b704c6.txt").read_text().splitlines()
        if line.startswith("Learning with noisy labels")
    )
    upload = tmp_path / "upload" / "more.ris"
    upload.parent.mkdir()
    upload.write_text(
        f"TY  - JOUR\nTI  - Co-teaching+ Revisited\nPY  - 2019\nAB  - {new}\nER  - \n"
    )
    assert add_files(corpus, [upload]) == ["more.ris"]
    report = rag.build(settings, progress=False)
    assert report.rebuilt and report.embedded < report.chunks + report.sentences
    answer = qa.ask("Which method handles noisy labels by disagreement?")
    assert answer.found and answer.sources[0].title == "Co-teaching+ Revisited"
    assert qa.ask("What NDS does CMT reach on nuScenes?").sources[0].file == "refs.bib"


@pytest.mark.slow  # imports Gradio and builds the page
@pytest.mark.parametrize("read_only", [False, True])
def test_the_chat_page_has_a_year_filter_and_an_upload_box_unless_read_only(mixed, read_only):
    from ui.app import create_app

    qa = QA(
        mixed.settings.replace(ui_read_only=read_only), embedder=mixed.embedder, index=mixed.index
    )
    ids = {c.get("props", {}).get("elem_id") for c in create_app(qa).config["components"]}
    assert "years" in ids
    assert ("upload" in ids) is not read_only
