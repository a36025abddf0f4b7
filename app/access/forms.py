"""Forms of the permission screens (CSRF-protected; errors are shown next to their field)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField
from wtforms.validators import DataRequired, InputRequired

from app.access.registry import RoleDefinition


class RoleForm(FlaskForm):
    role = SelectField("Role", validators=[InputRequired(message="Choose a role.")])
    # Checked against the role by the service (which names the right choice); the template groups the options.
    scope = SelectField("For", validate_choice=False, default="")

    def with_choices(self, roles: list[RoleDefinition]) -> RoleForm:
        self.role.choices = [("", "Choose a role")] + [(d.qualified_name, d.title) for d in roles]
        return self


class RevokeForm(FlaskForm):
    role = HiddenField(validators=[DataRequired()])
    scope = HiddenField(default="")


class DirectoryPersonForm(FlaskForm):
    oid = HiddenField(validators=[DataRequired()])


class MapGroupForm(FlaskForm):
    group_id = HiddenField(validators=[DataRequired()])


class ReconcileForm(FlaskForm):
    fingerprint = HiddenField(validators=[DataRequired()])
    confirm = BooleanField(
        "I have reviewed these differences: make the Entra groups match MyGov.",
        validators=[DataRequired(message="Tick the box to confirm the changes.")],
    )
