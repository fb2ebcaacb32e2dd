"""The Index follows the store: a rebuild swapped in is answered from without a restart, and
its lexical side is loaded from the build's saved terms."""

import shutil
from dataclasses import replace

from rag import QA, Settings, build, store_terms
from rag.corpus import default_corpus_dir
from rag.index import Index
from rag.lexical import tokenize

AV2 = "000_db84be102c6e026b.txt"


def test_a_running_pipeline_answers_from_a_generation_built_after_it_started(
    tmp_path, small_settings, embedder
):
    corpus = shutil.copytree(small_settings.store.corpus_dir, tmp_path / "corpus")
    settings = Settings(corpus_dir=corpus, store_dir=tmp_path / "store")
    qa = QA(settings, embedder=embedder, progress=False)
    question = "How much does LGD improve RetinaNet on COCO?"
    assert qa.ask(question).found
    first = qa.index.generation
    new = next(
        line
        for line in (default_corpus_dir() / AV2).read_text("utf-8").splitlines()
        if "Argoverse 2" in line
    )
    (corpus / "new.txt").write_text(new + "\n", "utf-8")
    report = build(settings, progress=False)
    assert report.rebuilt and report.embedded < report.chunks + report.sentences
    answer = qa.ask("How many sequences of unlabeled lidar data does Argoverse 2 have?")
    assert qa.index.generation != first
    assert answer.found and "Argoverse 2" in answer.sources[0].text


def test_the_saved_terms_are_what_tokenizing_at_start_would_give(small_qa):
    store = small_qa.index.store
    assert store.terms is not None, "the build saves the terms with the generation"
    loaded = Index.of(store)
    tokenized = Index.of(replace(store, terms=None))
    assert loaded.abstract_terms == tokenized.abstract_terms
    assert loaded.sentence_terms == tokenized.sentence_terms
    assert loaded.bm25.idf == tokenized.bm25.idf
    terms = tokenize("How much does LGD improve RetinaNet on COCO?")
    assert loaded.bm25.scores(terms) == tokenized.bm25.scores(terms)


def test_terms_saved_by_another_tokenizer_are_not_used(small_qa):
    saved = store_terms.encode(small_qa.index.store.terms)
    assert store_terms.decode(saved) == small_qa.index.store.terms
    assert store_terms.decode({**saved, "key": "another tokenizer"}) is None


def test_a_papers_own_names_are_those_it_defines(small_qa):
    own = small_qa.index.own_names
    cmt = own["cmt"]
    assert own["cross modal transformer"] == cmt, "spelt out before its acronym"
    assert own["lgd"] != cmt, "a name in Chinese text: LGD在COCO上"
    assert "coco" not in own, "RevCol only reports results on COCO"
