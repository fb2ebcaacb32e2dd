"""Readers: every format of tests/data/formats read with its metadata, its awkward parts,
the records it skips, and duplicates merged across formats. No store: milliseconds."""

import csv
import io
import json
from pathlib import Path

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

from rag.citation import derived_label, heading
from rag.corpus import add_files, load_corpus, parse_columns
from rag.errors import CorpusError, QuestionError
from rag.readers import parse_arxiv, parse_doi, parse_year, read_entries, split_authors
from rag.scope import check, parse_years
from rag.types import Abstract

FORMATS = Path(__file__).parent / "data" / "formats"


@pytest.fixture(scope="module")
def loaded():
    skipped: list[tuple[str, str]] = []
    abstracts = load_corpus(FORMATS, skipped=skipped)
    return {a.title or a.locations[0].file: a for a in abstracts}, dict(skipped)


def by_file(loaded, name):
    return next(a for a in loaded[0].values() if a.locations[0].file == name)


def test_bibtex_accents_braces_and_wrapped_abstract_are_decoded(loaded):
    cmt = by_file(loaded, "refs.bib")
    assert cmt.title == "CMT: Cross Modal Transformer for Fast and Robust 3D Object Detection"
    assert cmt.authors == ("Müller, Jörg", "García, Ana", "Østergaard, Søren")
    assert cmt.year == 2023 and cmt.url == "https://arxiv.org/abs/2301.01283"
    # "73.0\% NDS on {nuScenes}", wrapped over lines, reads as the shipped abstract does.
    assert "CMT obtains 73.0% NDS on nuScenes benchmark." in cmt.text
    assert "\n" not in cmt.text and "{" not in cmt.text
    assert str(cmt.locations[0]) == "refs.bib:4"  # the line of its @inproceedings


def test_ris_with_crlf_line_ends_keeps_each_record_and_its_line(loaded):
    assert b"\r\n" in (FORMATS / "library.ris").read_bytes()
    lgd = by_file(loaded, "library.ris")
    assert lgd.title == "LGD: Label-Guided Self-Distillation for Object Detection"
    assert lgd.authors[0] == "Zhang, Wei" and lgd.year == 2022  # PY  - 2022///
    assert lgd.url == "https://doi.org/10.9999/sample.lgd.2022" and lgd.language == "zh"
    assert not lgd.text.endswith("\r")
    revcol = loaded[0]["Reversible Column Networks"]  # T1 and N2 instead of TI and AB
    assert str(revcol.locations[0]) == "library.ris:11"


def test_csv_with_a_bom_and_a_quoted_line_break_reads_zotero_columns(loaded):
    assert (FORMATS / "export.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    reliant = by_file(loaded, "export.csv")
    assert reliant.title == "RELIANT: Fair Knowledge Distillation for Graph Neural Networks"
    assert reliant.authors == ("Schmidt, Hanna", "Rossi, Marco", "Kowalski, Jan")
    assert reliant.year == 2023  # "Publication Year", not "Publication Title"
    assert "GNN. To handle such a problem" in reliant.text  # the line break is layout


def test_json_lines_skip_a_broken_line_by_number_and_read_arxiv_fields(loaded):
    av2 = by_file(loaded, "arxiv-snapshot.jsonl")
    assert av2.title.startswith("Argoverse 2: Next Generation Datasets")
    assert av2.year == 2023  # from versions[0].created
    assert av2.authors == ("Lindqvist, Tomas", "Nwosu, Amara", "Watanabe, Kenji")
    assert av2.url == "https://arxiv.org/abs/2301.00493"
    assert av2.text.startswith("We introduce Argoverse 2")  # leading spaces gone
    assert loaded[1]["arxiv-snapshot.jsonl:2"].startswith("not JSON")


def test_json_array_objects_keep_the_line_they_start_on(loaded):
    emo = by_file(loaded, "reading-list.json")
    assert emo.authors == ("Elena Popescu", "Tariq Haddad")
    assert emo.url == "https://doi.org/10.9999/sample.emo.2023"  # a doi.org URL, made bare
    assert str(emo.locations[0]) == "reading-list.json:2"
    lines = (FORMATS / "reading-list.json").read_text("utf-8").splitlines()
    assert lines[1].strip() == "{"


def test_duplicates_merge_by_doi_or_text_and_keep_every_location(loaded):
    reliant = loaded[0]["RELIANT: Fair Knowledge Distillation for Graph Neural Networks"]
    # Same DOI (case aside) in the CSV and the JSON array: one abstract, both places, and
    # the first title found.
    assert [str(loc) for loc in reliant.locations] == ["export.csv:2", "reading-list.json:18"]
    revcol = loaded[0]["Reversible Column Networks"]
    # No shared id, the same text spaced differently (RIS and JSON).
    assert [loc.file for loc in revcol.locations] == ["library.ris", "reading-list.json"]
    assert len(loaded[0]) == 7


def test_records_without_an_abstract_are_skipped_and_counted(loaded):
    skipped = loaded[1]
    assert skipped["refs.bib:20"].startswith("no abstract")
    assert skipped["export.csv:4"] == "no abstract"
    assert skipped["arxiv-snapshot.jsonl:3"] == "no abstract"


def test_an_unparsable_file_is_named_with_its_reason_and_the_rest_is_read(tmp_path):
    (tmp_path / "good.ris").write_text("TY  - JOUR\nTI  - T\nAB  - An abstract.\nER  - \n")
    (tmp_path / "broken.json").write_text('[{"abstract": "cut off', "utf-8")
    (tmp_path / "nothing.bib").write_text("This is not BibTeX at all.\n", "utf-8")
    (tmp_path / "plain.ris").write_text("Just some text.\n", "utf-8")
    skipped: list[tuple[str, str]] = []
    assert [a.text for a in load_corpus(tmp_path, skipped=skipped)] == ["An abstract."]
    reasons = dict(skipped)
    assert reasons["broken.json"].startswith("not JSON")
    assert reasons["nothing.bib"].startswith("no BibTeX entries")
    assert reasons["plain.ris"].startswith("no RIS records")


def test_unusual_column_names_are_read_with_a_mapping(loaded):
    assert "no abstract column" in loaded[1]["custom-columns.tsv"]
    assert "--columns abstract=NAME" in loaded[1]["custom-columns.tsv"]
    columns = parse_columns("abstract=Synopsis,title=Paper,year=Published in")
    found = {a.title: a for a in load_corpus(FORMATS, skipped=[], columns=columns)}
    assert len(found) == 8  # the mapping leaves the other files to the usual names
    noisy = found["Co-teaching+ revisited"]
    assert noisy.year == 2019 and str(noisy.locations[0]) == "custom-columns.tsv:2"
    with pytest.raises(CorpusError, match="FIELD=COLUMN"):
        parse_columns("summary")


def test_seed_files_read_exactly_as_before(loaded):
    afl = by_file(loaded, "notes.txt")
    assert (afl.title, afl.authors, afl.year, afl.url) == (None, (), None, None)
    assert afl.text == (FORMATS / "notes.txt").read_text("utf-8").splitlines()[0]


@pytest.mark.parametrize(
    ("value", "names"),
    [
        ("Müller, Jörg and Li, Wei", ("Müller, Jörg", "Li, Wei")),
        ("Smith, J.; Doe, A.", ("Smith, J.", "Doe, A.")),
        ("A. Smith, B. Jones and C. Li", ("A. Smith", "B. Jones", "C. Li")),
        (["Ada Lovelace", {"given": "Alan", "family": "Turing"}], ("Ada Lovelace", "Alan Turing")),
        ([["Turing", "Alan", ""]], ("Turing, Alan",)),
        ("", ()),
    ],
)
def test_author_lists_in_every_usual_shape(value, names):
    assert split_authors(value) == names


def test_years_dois_and_arxiv_ids_are_found_in_their_usual_spellings():
    assert parse_year("2022///") == parse_year("Mar 2022") == parse_year(2022) == 2022
    assert parse_year("n.d.") is None
    assert parse_doi("https://doi.org/10.1000/xyz.1") == parse_doi("doi:10.1000/xyz.1")
    assert parse_arxiv("2301.01283v2") == "2301.01283" and parse_arxiv("hep-th/9901001")
    assert parse_arxiv("ABCD1234") is None


def test_seed_abstracts_get_a_label_derived_from_their_own_text():
    """CMT's abstract says "we propose a robust 3D detector, named Cross Modal Transformer
    (CMT), for ...": the name it gives its method, with the acronym, is the label."""
    cmt = (
        "In this paper, we propose a robust 3D detector, named Cross Modal Transformer (CMT), "
        "for end-to-end 3D multi-modal detection."
    )
    assert derived_label(cmt) == "Cross Modal Transformer (CMT)"
    assert derived_label("We introduce Argoverse 2 (AV2) - a collection.") == "Argoverse 2 (AV2)"
    assert derived_label("Plain words with no name at all here.") == "Plain words with no name at…"
    named = heading(Abstract("x", cmt, "en", ()))
    assert named.derived and str(named) == "Cross Modal Transformer (CMT) [label from the abstract]"


def test_a_heading_names_title_first_author_and_year():
    paper = Abstract("x", "t", "en", (), "A Title", ("Müller, Jörg", "Li, Wei"), 2023, "https://x")
    assert str(heading(paper)) == "A Title — Müller et al. (2023)"
    alone = Abstract("x", "t", "en", (), "A Title", ("Jörg Müller",), None, None)
    assert str(heading(alone)) == "A Title — Müller"


def test_year_ranges_and_malformed_scopes():
    assert parse_years("2022..") == {"$gte": 2022}
    assert parse_years("..2021") == {"$lte": 2021}
    assert parse_years("2020..2022") == {"$gte": 2020, "$lte": 2022}
    assert parse_years("2021") == {"$eq": 2021}
    with pytest.raises(QuestionError, match="--year takes"):
        parse_years("last year")
    with pytest.raises(QuestionError, match="takes 'year' and 'authors'"):
        check({"venue": "ICCV"})
    with pytest.raises(QuestionError, match=r"where\['year'\]"):
        check({"year": {"$gte": "2022"}})
    assert check({}) is None


def test_uploaded_files_never_overwrite_and_the_shipped_corpus_takes_none(tmp_path):
    corpus = tmp_path / "corpus"
    first, second = tmp_path / "a" / "refs.bib", tmp_path / "b" / "refs.bib"
    for path, text in ((first, "one"), (second, "two")):
        path.parent.mkdir()
        path.write_text(text, "utf-8")
    assert add_files(corpus, [first]) == ["refs.bib"]
    assert add_files(corpus, [first]) == []  # the same file again: nothing new
    assert add_files(corpus, [second]) == ["refs-2.bib"]
    assert (corpus / "refs.bib").read_text("utf-8") == "one"
    with pytest.raises(CorpusError, match="--corpus"):
        add_files(None, [first])


# Abstract-like text: printable letters, CJK, punctuation, quotes, commas, tabs and line
# breaks inside (what CSV quoting and JSON escaping must carry), not only whitespace.
TEXT = st.text(
    alphabet=st.characters(
        codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp"), include_characters="\n\t"
    ),
    min_size=1,
    max_size=200,
).filter(lambda t: t.strip())


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(TEXT, min_size=1, max_size=4))
def test_any_abstract_written_by_csv_or_json_lines_reads_back_collapsed(tmp_path_factory, texts):
    folder = tmp_path_factory.mktemp("roundtrip")
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow(["Title", "Abstract"])
    writer.writerows([f"T{i}", t] for i, t in enumerate(texts))
    entries, skipped = read_entries(folder / "a.csv", buf.getvalue())
    assert skipped == [] and [e.text for e in entries] == [" ".join(t.split()) for t in texts]
    lines = "\n".join(json.dumps({"title": f"T{i}", "abstract": t}) for i, t in enumerate(texts))
    entries, skipped = read_entries(folder / "a.jsonl", lines)
    assert [e.line for e in entries] == list(range(1, len(texts) + 1))
    assert [e.text for e in entries] == [" ".join(t.split()) for t in texts]
