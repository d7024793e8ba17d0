"""Jinja2 templates and CSS for reports and letters (package data: ``tender.templates``)."""
