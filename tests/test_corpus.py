"""Corpus parsing: chrome dropped, duplicates merged with every location, languages right."""

from collections import Counter

import pytest

from rag.corpus import abstract_id, default_corpus_dir, detect_language, load_corpus
from rag.errors import CorpusError


def test_shipped_corpus_has_42_distinct_abstracts_from_50_entries(abstracts):
    assert len(abstracts) == 42
    assert sum(len(a.locations) for a in abstracts) == 50


def test_page_chrome_is_never_an_abstract(abstracts):
    assert not any("translated by" in a.text for a in abstracts)


def test_duplicate_abstracts_keep_every_location(abstracts):
    gnn = next(a for a in abstracts if a.text.startswith("Graph Neural Networks (GNNs)"))
    assert [str(loc) for loc in gnn.locations] == [
        "000_db84be102c6e026b.txt:3",
        "002_45a5ccd7169acb11.txt:1",
        "004_ab19003648141882.txt:17",
    ]
    # And each location really holds that text on that 1-based line.
    for loc in gnn.locations:
        lines = (default_corpus_dir() / loc.file).read_text(encoding="utf-8").splitlines()
        assert lines[loc.line - 1] == gnn.text


def test_thirteen_abstracts_are_chinese(abstracts):
    assert Counter(a.language for a in abstracts) == {"en": 29, "zh": 13}
    lgd = next(a for a in abstracts if "LGD(标签引导自蒸馏)" in a.text)
    assert lgd.language == "zh"


def test_ids_are_stable_content_hashes(abstracts):
    assert len({a.id for a in abstracts}) == 42
    assert all(a.id == abstract_id(a.text) for a in abstracts)
    assert [a.id for a in load_corpus()] == [a.id for a in abstracts]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("How much does LGD improve RetinaNet on COCO?", "en"),
        ("LGD在COCO上提升了多少?", "zh"),
        ("What does 联合学习 mean in these abstracts?", "en"),
    ],
)
def test_language_detection(text, language):
    assert detect_language(text) == language


def test_any_folder_of_such_files_is_a_corpus(tmp_path):
    (tmp_path / "a.txt").write_text(
        "First abstract.\ntranslated by 谷歌翻译\n\n第二个摘要。\ntranslated by 谷歌翻译\n",
        encoding="utf-8",
    )
    (tmp_path / "b.txt").write_text("First abstract.\n", encoding="utf-8")
    found = load_corpus(tmp_path)
    assert [(a.text, a.language) for a in found] == [
        ("First abstract.", "en"),
        ("第二个摘要。", "zh"),
    ]
    assert [str(loc) for loc in found[0].locations] == ["a.txt:1", "b.txt:1"]


def test_missing_folder_says_what_to_do(tmp_path):
    with pytest.raises(CorpusError, match="does not exist.*--corpus"):
        load_corpus(tmp_path / "nope")


def test_folder_without_abstracts_is_an_error(tmp_path):
    (tmp_path / "empty.txt").write_text("translated by 谷歌翻译\n\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="No abstracts"):
        load_corpus(tmp_path)


def test_unusable_files_are_skipped_by_name_and_the_rest_is_read(tmp_path):
    good = "We present TinyNet, which reaches 91.5% accuracy on CIFAR-10."
    (tmp_path / "good.txt").write_text(good + "\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "gb18030.txt").write_bytes("联邦学习的摘要。".encode("gb18030"))
    (tmp_path / "utf16.txt").write_text("An abstract in UTF-16.", encoding="utf-16")
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 abstract".encode("latin-1"))
    (tmp_path / "long.txt").write_text("word " * 5000, encoding="utf-8")
    skipped = []
    found = load_corpus(tmp_path, skipped=skipped)
    assert [a.text for a in found] == [good]
    reasons = dict(skipped)
    assert set(reasons) == {
        "empty.txt",
        "binary.txt",
        "gb18030.txt",
        "utf16.txt",
        "latin1.txt",
        "long.txt",
    }
    assert reasons["empty.txt"] == "empty"
    assert "NUL" in reasons["binary.txt"]
    assert "not UTF-8" in reasons["gb18030.txt"] and "convert it to UTF-8" in reasons["latin1.txt"]
    assert "UTF-16" in reasons["utf16.txt"]
    assert "characters long" in reasons["long.txt"]


def test_skips_are_logged_when_not_collected(tmp_path, caplog):
    (tmp_path / "a.txt").write_text("An abstract.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"\x00\x01")
    assert len(load_corpus(tmp_path)) == 1
    assert "Skipped b.txt: binary" in caplog.text


def test_folder_of_only_unusable_files_is_an_error_naming_them(tmp_path):
    (tmp_path / "utf16.txt").write_text("An abstract.", encoding="utf-16")
    with pytest.raises(CorpusError, match="No abstracts.*utf16.txt: UTF-16"):
        load_corpus(tmp_path)
