"""The chat in Chromium on a corpus with metadata: cards headed by title, first author and
year with the link; the year filter narrows answers; a file uploaded in the Corpus tab is
answered from at the next question, without a restart. Full tier (a server, a browser)."""

import shutil
from pathlib import Path

import pytest

from rag import QA, Settings
from tests.net import served
from tests.test_browser import ARGS, CHROMIUM, ask, last_answer, sync_api

pytestmark = pytest.mark.slow
FORMATS = Path(__file__).parent / "data" / "formats"


@pytest.fixture(scope="module")
def url(tmp_path_factory, embedder):
    from ui.app import PAGE, create_app, queued

    root = tmp_path_factory.mktemp("formats-page")
    corpus = shutil.copytree(FORMATS, root / "corpus")
    (corpus / "export.csv").unlink()  # RELIANT arrives by upload, in the test
    (corpus / "reading-list.json").unlink()  # (which holds RELIANT too)
    qa = QA(Settings(corpus_dir=corpus, store_dir=root / "store"), embedder=embedder)
    with served(queued(create_app(qa), qa.settings), **PAGE) as url:
        yield url


@pytest.fixture
def page(url):
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.goto(url)
        page.wait_for_selector("#question textarea")
        yield page
        browser.close()


def test_cards_the_year_filter_and_an_upload_answered_without_a_restart(page):
    ask(page, "What NDS does CMT reach on nuScenes?")
    card = last_answer(page).locator(".source-card").first
    assert (
        card.locator("summary")
        .inner_text()
        .startswith(
            "[1] CMT: Cross Modal Transformer for Fast and Robust 3D Object Detection — Müller et "
            "al. (2023)"
        )
    )
    assert card.locator(".paper a").get_attribute("href") == "https://arxiv.org/abs/2301.01283"

    page.click("#settings .label-wrap")
    page.fill("#years input, #years textarea", "..2022")
    ask(page, "Which papers are about object detection?")
    headings = last_answer(page).locator(".source-card summary").all_inner_texts()
    assert headings and all("(2022)" in h for h in headings)
    page.fill("#years input, #years textarea", "")

    ask(page, "What does RELIANT mitigate?")
    assert "RELIANT" not in last_answer(page).inner_text()
    page.get_by_role("tab", name="Corpus").click()
    page.locator("#upload input[type=file]").set_input_files(str(FORMATS / "export.csv"))
    page.wait_for_timeout(1000)
    page.click("#add-files")
    page.wait_for_function(
        "() => (document.querySelector('#rebuild-status')?.innerText || '').includes('Added')",
        timeout=120_000,
    )
    assert "Added export.csv" in page.locator("#rebuild-status").inner_text()
    page.get_by_role("tab", name="Chat").click()
    ask(page, "What does RELIANT mitigate?")
    answer = last_answer(page)
    assert "mitigate the bias" in answer.inner_text()
    assert "RELIANT: Fair Knowledge Distillation for Graph Neural Networks" in (
        answer.locator(".source-card summary").first.inner_text()
    )
