"""Every fixed text the answerers say, kept as data so code and tests share one wording.

The extractive answerer needs no prompt; the LLM backends of a later issue add theirs here.
"""

# Said when retrieval finds nothing relevant. Tests compare against these, so change them here.
NOT_FOUND = {
    "en": "I could not find an answer to that in the abstracts.",
    "zh": "在这些摘要中没有找到这个问题的答案。",
}
