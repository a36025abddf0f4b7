"""Forms of the mail screens."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField


class WordingForm(FlaskForm):
    subject = StringField("Subject")
    body = TextAreaField("Text")
