"""Forms of the permission screens (CSRF-protected; errors are shown next to their field)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.access.registry import RoleDefinition


class RoleForm(FlaskForm):
    """A role and what it is held for (the whole module, or one facility, calendar or department)."""

    role = SelectField("Role", validators=[InputRequired(message="Choose a role.")])
    # Checked against the role by the service (which names the right choice); the template groups the options.
    scope = SelectField("For", validate_choice=False, default="")

    def with_choices(self, roles: list[RoleDefinition]) -> RoleForm:
        self.role.choices = [("", "Choose a role")] + [(d.qualified_name, d.title) for d in roles]
        return self


class GrantForm(RoleForm):
    until = DateField("Until (optional)", validators=[Optional()],
                      description="The last day the role is held; MyGov ends it after that day.")


class RevokeForm(FlaskForm):
    role = HiddenField(validators=[DataRequired()])
    scope = HiddenField(default="")


class DirectoryPersonForm(FlaskForm):
    oid = HiddenField(validators=[DataRequired()])


class MapGroupForm(FlaskForm):
    group_id = HiddenField(validators=[DataRequired()])


class SeedingRuleForm(RoleForm):
    source_kind = SelectField("Who", choices=[
        ("group", "Members of an Entra group"), ("department", "People of a department"),
        ("position", "People with a job title"),
    ], validators=[InputRequired(message="Choose who the rule is about.")])
    value = StringField("Group name, department or job title", validators=[
        DataRequired(message="Type the group's name, the department or the job title."), Length(max=256)])
    role = SelectField("Get the role", validators=[InputRequired(message="Choose a role.")])


class MemberForm(FlaskForm):
    group_id = HiddenField(validators=[DataRequired()])
    oid = HiddenField(validators=[DataRequired()])


class ReconcileForm(FlaskForm):
    fingerprint = HiddenField(validators=[DataRequired()])
    confirm = BooleanField(
        "I have reviewed these differences: make the Entra groups match MyGov.",
        validators=[DataRequired(message="Tick the box to confirm the changes.")],
    )
