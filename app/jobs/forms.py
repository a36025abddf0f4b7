"""Forms of the ops screens."""
from __future__ import annotations

import json

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional, ValidationError


class ScheduleForm(FlaskForm):
    cron = StringField("Cron expression", validators=[Optional()],
                       description="Minute hour day month weekday, in the city's time zone. Example: */15 * * * *")
    interval_seconds = IntegerField("Or every this many seconds", validators=[Optional()])
    enabled = BooleanField("Enabled")
    parameters = TextAreaField("Parameters (JSON object)", default="{}")

    def validate_parameters(self, field: TextAreaField) -> None:
        try:
            value = json.loads(field.data or "{}")
        except ValueError as error:
            raise ValidationError(f"This is not valid JSON: {error.args[0]}") from error
        if not isinstance(value, dict):
            raise ValidationError("Parameters must be a JSON object, like {\"target\": \"all\"}.")

    def parameters_value(self) -> dict:
        return json.loads(self.parameters.data or "{}")


class NewJobForm(ScheduleForm):
    name = StringField("Name", description="How staff will know it, such as: Nightly room check.")
    action = SelectField("What it does", choices=[], validate_choice=False)
    enabled = BooleanField("Enabled", default=True)


class ConfirmForm(FlaskForm):
    """A POST button with its CSRF token."""


class OutboxFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = StringField("Status")
    kind = StringField("Kind")
    target = StringField("Target")


class RetryDeadForm(FlaskForm):
    confirm = BooleanField("Yes, try every dead operation listed here again",
                           validators=[DataRequired(message="Tick the box to confirm.")])
