"""The Index follows the store: a rebuild swapped in is answered from without a restart."""

import shutil

from rag import QA, Settings, build
from rag.corpus import default_corpus_dir

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
