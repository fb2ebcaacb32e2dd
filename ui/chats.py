"""Saved conversations: the chat list kept in the browser (Gradio's `BrowserState`).

The whole list is one JSON value in the browser's localStorage, so a reload or a server
restart keeps it, and the server keeps nothing:

    {"chats": {chat_id: {"title": str, "turns": [turn, ...]}}, "order": [chat_id, ...],
     "current": chat_id | None}

`order` is newest first. Every function here takes that value and returns a new one; a
value that is not of this shape (edited by hand, or from another version) starts afresh.
Leaves out syncing between browsers and any server-side storage.
"""

from __future__ import annotations

import uuid

TITLE_CHARS = 60  # a chat's title is its first question, cut to fit the list


def empty() -> dict:
    return {"chats": {}, "order": [], "current": None}


def valid(saved: object) -> dict:
    """`saved` if it has the expected shape, else an empty list of chats."""
    if (
        isinstance(saved, dict)
        and isinstance(saved.get("chats"), dict)
        and isinstance(saved.get("order"), list)
        and all(i in saved["chats"] for i in saved["order"])
        and all(isinstance(c.get("turns"), list) for c in saved["chats"].values())
    ):
        return saved
    return empty()


def new_chat(saved: dict) -> tuple[dict, str]:
    """A new, empty chat made current (not listed until it has a question)."""
    saved = valid(saved)
    chat_id = uuid.uuid4().hex[:12]
    return {**saved, "current": chat_id}, chat_id


def current(saved: dict) -> tuple[str, list[dict]]:
    """The current chat's id and turns (a new chat when there is none)."""
    saved = valid(saved)
    chat_id = saved.get("current")
    if not chat_id:
        return new_chat(saved)[1], []
    return chat_id, saved["chats"].get(chat_id, {}).get("turns", [])


def store_turns(saved: dict, chat_id: str, turns: list[dict]) -> dict:
    """`saved` with this chat's turns; a chat with turns is listed, titled by its question."""
    saved = valid(saved)
    if not turns:
        return {**saved, "current": chat_id}
    chats = dict(saved["chats"])
    old = chats.get(chat_id, {})
    title = old.get("title") or " ".join(turns[0]["question"].split())[:TITLE_CHARS]
    chats[chat_id] = {"title": title or "Untitled", "turns": turns}
    order = [chat_id, *(i for i in saved["order"] if i != chat_id)]
    return {"chats": chats, "order": order, "current": chat_id}


def rename(saved: dict, chat_id: str, title: str) -> dict:
    saved = valid(saved)
    title = " ".join(title.split())[:TITLE_CHARS]
    if chat_id not in saved["chats"] or not title:
        return saved
    chats = {**saved["chats"], chat_id: {**saved["chats"][chat_id], "title": title}}
    return {**saved, "chats": chats}


def delete(saved: dict, chat_id: str) -> dict:
    """`saved` without this chat; the newest remaining one (or a new one) becomes current."""
    saved = valid(saved)
    chats = {k: v for k, v in saved["chats"].items() if k != chat_id}
    order = [i for i in saved["order"] if i != chat_id]
    return {"chats": chats, "order": order, "current": order[0] if order else None}


def choices(saved: dict) -> list[tuple[str, str]]:
    """(title, id) of every listed chat, newest first, for the chat list."""
    saved = valid(saved)
    return [(saved["chats"][i]["title"], i) for i in saved["order"]]
