"""The Gradio chat app for abstracts-qa."""
