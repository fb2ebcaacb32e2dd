"""The Corpus tab: browse and search the abstracts, see the store, add files, rebuild it.

A rebuild calls `rag.build` (incremental: only new or changed abstracts are embedded),
with Gradio's progress bar following the library's tqdm bar. The upload box copies files
into the corpus folder (`rag.corpus.add_files`, never overwriting) and rebuilds; it is not
there with `rag ui --read-only`. The chat picks up the new store for its next question
(the library reopens a swapped-in generation). Leaves out editing or deleting files.
"""

from __future__ import annotations

import html
import json

import gradio as gr

from rag.citation import heading
from rag.errors import RagError
from rag.qa import QA
from ui import render

SHOWN = 50  # abstracts listed at once: the rest are reached by searching


def store_summary(qa: QA) -> str:
    """Size and build time of the store the chat answers from."""
    store = qa.index.store
    languages = [a.language for a in store.abstracts.values()]
    built = "unknown"
    if store.generation is not None:
        try:
            manifest = json.loads((store.generation / "manifest.json").read_text("utf-8"))
            built = manifest.get("built_at", built)
        except (OSError, ValueError):
            pass
    return (
        f"**{len(languages)} abstracts** ({languages.count('en')} English, "
        f"{languages.count('zh')} Chinese), {len(store.chunks)} chunks, built {built}, "
        f"at `{qa.settings.store.store_dir}` with `{qa.settings.store.embedding_model}`."
    )


def listing_html(qa: QA, query: str = "") -> str:
    """The abstracts whose text, title, file or id holds `query` (all when empty), escaped."""
    needle = query.strip().lower()
    found = [
        a
        for a in qa.index.store.abstracts.values()
        if not needle
        or needle in a.text.lower()
        or needle in (a.title or "").lower()
        or needle in a.id
        or any(needle in str(loc).lower() for loc in a.locations)
    ]
    items = "".join(
        f'<div class="corpus-item"><div class="meta">{html.escape(str(heading(a)))} · '
        f"{html.escape(str(a.locations[0]))} · "
        f"{render.LANGUAGES.get(a.language, a.language)} · id {a.id}</div>"
        f'<div lang="{a.language}">{render.rich(render.clean(a.text))}</div></div>'
        for a in found[:SHOWN]
    )
    more = f" (showing {SHOWN}; search to narrow)" if len(found) > SHOWN else ""
    count = f'<p class="corpus-count">{len(found)} abstracts{more}</p>'
    return f'{count}<div class="corpus-list">{items}</div>'


UPLOADS = [".bib", ".ris", ".csv", ".tsv", ".json", ".jsonl", ".ndjson", ".txt"]


def build(qa: QA) -> None:
    """The tab's components and events, inside an open `gr.Tab`."""
    import rag
    from rag.corpus import add_files

    summary = gr.Markdown(store_summary(qa))
    with gr.Row():
        rebuild = gr.Button("Rebuild the store", size="sm")
        status = gr.Markdown(elem_id="rebuild-status")
    if not qa.settings.ui.read_only:
        upload = gr.File(
            label="Add abstracts: BibTeX, RIS, CSV/TSV, JSON, JSON Lines or text files",
            file_count="multiple",
            file_types=UPLOADS,
            elem_id="upload",
        )
        add = gr.Button("Add to the corpus and rebuild", size="sm", elem_id="add-files")
    search = gr.Textbox(
        label="Search the abstracts",
        placeholder="a word, a file name or an id",
        max_lines=1,
        elem_id="corpus-search",
    )
    shown = gr.HTML(listing_html(qa), js_on_load=None, elem_id="corpus")

    def run_build(progress: gr.Progress = gr.Progress(track_tqdm=True)) -> tuple[str, str]:  # noqa: B008 (Gradio's way)
        progress(0, desc="Checking the corpus")
        try:
            report = rag.build(qa.settings, progress=True)
        except RagError as err:
            return f"Rebuild failed: {err}", store_summary(qa)
        if not report.rebuilt:
            return f"The store is up to date ({report.abstracts} abstracts).", store_summary(qa)
        return (
            f"Built {report.abstracts} abstracts in {report.seconds:.1f} s ({report.embedded} "
            "texts embedded); the next question uses it.",
            store_summary(qa),
        )

    rebuild.click(run_build, None, [status, summary], api_visibility="private")
    if not qa.settings.ui.read_only:

        def run_add(
            files: list | None,
            progress: gr.Progress = gr.Progress(track_tqdm=True),  # noqa: B008 (Gradio's way)
        ) -> tuple[str, str, None]:
            paths = [getattr(f, "name", f) for f in files or []]
            if not paths:
                return "Choose files to add first.", store_summary(qa), None
            try:
                added = add_files(qa.settings.store.corpus_dir, paths)
            except RagError as err:
                return f"Not added: {err}", store_summary(qa), None
            said, summary_now = run_build(progress)
            names = ", ".join(added) or "nothing new (the same files are there already)"
            return f"Added {names}. {said}", summary_now, None

        add.click(run_add, upload, [status, summary, upload], api_visibility="private")
    search.change(
        lambda q: listing_html(qa, q),
        search,
        shown,
        api_visibility="private",
        show_progress="hidden",
    )
