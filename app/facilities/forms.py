"""Forms of the facility screens (CSRF-protected; errors are shown next to their field)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class FieldErrors(ValueError):
    """A screen's answers refused: one message per field, nothing saved."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class FacilityForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(message="Enter the facility's name."), Length(max=200)])
    building_abbreviation = StringField(
        "Building abbreviation", validators=[DataRequired(message="Enter an abbreviation, such as LIB."), Length(max=16)],
        description="Letters or digits, such as LIB. It becomes part of each room's mailbox address.")
    address = TextAreaField("Street address", validators=[Optional(), Length(max=500)])


class SpaceForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(message="Enter the space's name."), Length(max=200)],
                       description="As the public and staff call it, such as Program Room.")
    floor = StringField("Floor", validators=[Optional(), Length(max=32)], description="A number (2) or a name (Mezzanine).")
    capacity = IntegerField("Capacity", validators=[Optional(), NumberRange(min=1, max=10000,
                            message="Enter a number of people from 1 to 10,000.")], description="People, seated.")
    accessibility_notes = TextAreaField("Accessibility notes", validators=[Optional(), Length(max=2000)],
                                        description="Step-free access, hearing loop, accessible restrooms nearby.")


class SpacePhotoForm(FlaskForm):
    photo = FileField("Photo", validators=[FileRequired(message="Choose a photo to upload.")])
    photo_alt = StringField(
        "Describe the photo", validators=[DataRequired(message="Describe the photo for people who cannot see it."),
                                          Length(max=300)],
        description="What a citizen would see, such as: Tables set for a workshop under tall windows.")


class DisplayNameForm(FlaskForm):
    display_name = StringField(
        "Name in Outlook's room finder", validators=[Optional(), Length(max=256)],
        description="Leave empty to use the space's name. Changing it never changes the mailbox address.")


class ProvisionForm(FlaskForm):
    address = HiddenField(validators=[DataRequired()])


class LinkForm(FlaskForm):
    address = HiddenField(validators=[DataRequired()])


class ShareForm(FlaskForm):
    person = StringField("Staff member's work email", validators=[DataRequired(message="Enter a staff member's email.")],
                         description="For example jordan.lee@auburnal.gov.")


class RepairForm(FlaskForm):
    fingerprint = HiddenField(validators=[DataRequired()])
    confirm = BooleanField("I have reviewed these differences: repair the room calendars.",
                           validators=[DataRequired(message="Tick the box to confirm the repairs.")])


class SharePointListForm(FlaskForm):
    site_id = StringField("SharePoint site id", validators=[Optional(), Length(max=300)],
                          description="The site IT granted MyGov (Sites.Selected), as Graph names it: "
                                      "host name, site collection id and web id, separated by commas.")
    list_id = StringField("List id or name", validators=[Optional(), Length(max=300)],
                          description="The list on that site that receives one item per approved reservation.")
    include_contact = BooleanField("Include the citizen's name, email and phone")
