"""Jinja2 templates for generated code and for LLM prompts."""
