"""The page's CSS and script, as data.

Colours are set for the light and the dark scheme (Gradio puts `.dark` on the page when
the system asks for it; one selector a rule, since Gradio's prefixing of the custom CSS
mangles the second selector of a list), each pair checked at 4.5:1 or more by tests/test_browser.py;
highlights stay `<mark>` with dark text on amber in both. The script does three things
by event delegation, so it keeps working as the conversation is re-rendered: Copy puts a
message's plain text on the clipboard, `[n]` opens and scrolls to its source card, and a
new turn is scrolled into view. Leaves out any network access.
"""

CSS = """
#conversation { max-height: 64vh; overflow-y: auto !important; overflow-x: hidden !important;
                padding: 4px; }
@media (max-width: 600px) { #conversation { max-height: 52vh; } }
.conversation { display: flex; flex-direction: column; gap: 10px; overflow-wrap: anywhere; }
.conversation.empty p { color: #374151; }
.msg { border-radius: 10px; padding: 8px 12px; position: relative; line-height: 1.5; }
.msg .body { white-space: pre-wrap; }
.msg.user { background: #e0e7ff; color: #1e1b4b; align-self: flex-end; max-width: 90%; }
.msg.assistant { background: #f3f4f6; color: #111827; }
.msg.error { background: #fee2e2; color: #7f1d1d; }
.msg.pending { color: #374151; font-style: italic; }
.msg.draft { border: 2px dashed #92400e; background: #fffbeb; color: #1f2937; }
.draft-note { font-size: 0.9em; font-weight: 600; color: #92400e; margin: 0 0 4px; }
.msg a { color: #1d4ed8; text-decoration: underline; }
.msg a.cite { font-weight: 600; text-decoration: none; padding: 0 1px; }
.msg button.copy { font-size: 0.8em; padding: 1px 8px; margin-top: 4px; border-radius: 6px;
                   border: 1px solid #6b7280; background: #ffffff; color: #111827; }
.msg.user button.copy { background: #eef2ff; }
.notices { color: #374151; font-size: 0.9em; margin: 6px 0; }
.sources h4 { margin: 8px 0 2px; font-size: 0.95em; }
.source-card { border: 1px solid #9ca3af; border-radius: 8px; padding: 6px 12px;
               margin: 6px 0; background: #ffffff; color: #111827; }
.source-card summary { cursor: pointer; font-weight: 600; }
.source-card.flash { outline: 3px solid #2563eb; }
.source-card mark { background: #fde68a; color: #111827; padding: 0 1px; }
.source-card mark a { color: #1e3a8a; }
.msg mark a { color: #1e3a8a; }
.source-card .meta { color: #374151; font-size: 0.9em; margin: 4px 0; }
.source-card .why { color: #374151; font-size: 0.9em; margin: 4px 0; }
.source-card .paper { color: #374151; font-size: 0.9em; margin: 4px 0; }
.source-card .derived { font-weight: 400; font-style: italic; }
.banner { border: 2px solid #92400e; background: #fffbeb; color: #451a03; border-radius: 8px;
          padding: 8px 12px; }
.corpus-list { max-height: 60vh; overflow-y: auto; }
.corpus-item { border-bottom: 1px solid #d1d5db; padding: 6px 0; color: #111827; }
.corpus-item .meta { color: #374151; font-size: 0.9em; }
.answerer-note { color: #1f2937; font-size: 0.95em; }
button[role="tab"].selected { color: #1d4ed8; }
.dark button[role="tab"].selected { color: #93c5fd; }
.dark .conversation.empty p { color: #d1d5db; }
.dark .msg.pending { color: #d1d5db; }
.dark .msg.user { background: #312e81; color: #eef2ff; }
.dark .msg.assistant { background: #1f2937; color: #f3f4f6; }
.dark .msg.error { background: #450a0a; color: #fecaca; }
.dark .msg.draft { border-color: #fbbf24; background: #1c1917; color: #f5f5f4; }
.dark .draft-note { color: #fcd34d; }
.dark .msg a { color: #93c5fd; }
.dark .msg button.copy { background: #111827; color: #f9fafb; border-color: #9ca3af; }
.dark .notices { color: #d1d5db; }
.dark .source-card { background: #111827; color: #f3f4f6; border-color: #6b7280; }
.dark .source-card mark { background: #fde68a; color: #111827; }
.dark .source-card mark a { color: #1e3a8a; }
.dark .msg mark a { color: #1e3a8a; }
.dark .source-card .meta { color: #d1d5db; }
.dark .source-card .why { color: #d1d5db; }
.dark .source-card .paper { color: #d1d5db; }
.dark .banner { background: #1c1917; color: #fde68a; border-color: #fbbf24; }
.dark .corpus-item { color: #f3f4f6; border-color: #374151; }
.dark .corpus-item .meta { color: #d1d5db; }
.dark .answerer-note { color: #e5e7eb; }
"""

HEAD = """
<script>
(() => {
  const flash = (el) => {
    el.classList.add("flash");
    setTimeout(() => el.classList.remove("flash"), 1500);
  };
  const copyText = async (text) => {
    try {
      await navigator.clipboard.writeText(text);
    } catch (err) {  // no clipboard API (plain http on another host): the old way
      const area = document.createElement("textarea");
      area.value = text;
      document.body.appendChild(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
  };
  document.addEventListener("click", async (event) => {
    const copy = event.target.closest("button.copy");
    if (copy) {
      event.preventDefault();
      await copyText(copy.getAttribute("data-copy"));
      copy.textContent = "Copied";
      setTimeout(() => { copy.textContent = "Copy"; }, 1500);
      return;
    }
    const cite = event.target.closest("a.cite");
    if (cite) {
      event.preventDefault();
      const card = document.getElementById(cite.dataset.card);
      if (!card) return;
      card.open = true;
      card.scrollIntoView({ block: "nearest" });
      card.querySelector("summary").focus({ preventScroll: true });
      flash(card);
    }
  });
  let turns = 0;  // scroll a new turn into view once; then the reader scrolls
  new MutationObserver(() => {
    const box = document.getElementById("conversation");
    if (!box) return;
    const all = box.querySelectorAll(".turn");
    if (all.length === turns) return;
    turns = all.length;
    const last = all[all.length - 1];
    if (last) {
      box.scrollTop += last.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
    }
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
</script>
"""
