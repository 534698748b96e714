"""The base of every HTML form: CSRF (Flask-WTF) and WTForms' own messages in French."""

from __future__ import annotations

from flask_wtf import FlaskForm


class Form(FlaskForm):
    class Meta:
        locales = ("fr_FR", "fr")
