"""Account forms (Flask-WTF: CSRF on each)."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from achats.platform.forms import Form as FlaskForm
from achats.platform.security import Role
from achats.platform.taxonomy import DEPARTEMENTS_BFC, ORGANISATION_KIND_LABELS, THEMES, siret_error

REQUIRED = "Ce champ est obligatoire."


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RegistrationForm(FlaskForm):
    name = StringField("Prénom et nom", validators=[DataRequired(REQUIRED), Length(2, 120)])
    email = EmailField("Adresse e-mail professionnelle",
                       validators=[DataRequired(REQUIRED), Email("Adresse e-mail invalide."), Length(max=254)])
    job_title = StringField("Fonction", validators=[Optional(), Length(max=120)])
    organisation_name = StringField("Nom de votre organisme", validators=[DataRequired(REQUIRED), Length(2, 200)])
    organisation_kind = SelectField(
        "Type d'organisme",
        choices=[("", "— Choisir —")] + [(k.value, v) for k, v in ORGANISATION_KIND_LABELS.items()],
        validators=[DataRequired(REQUIRED)],
    )
    siret = StringField("SIRET de votre organisme", validators=[DataRequired(REQUIRED), Length(max=20)])
    departement = SelectField(
        "Département",
        choices=[("", "— Choisir —")] + [(k, f"{k} — {v}") for k, v in DEPARTEMENTS_BFC.items()] + [("autre", "Autre département")],
        validators=[DataRequired(REQUIRED)],
    )
    password = PasswordField("Mot de passe", validators=[DataRequired(REQUIRED), Length(max=256)])
    accept = BooleanField("J'accepte la charte de participation et la politique de confidentialité",
                          validators=[DataRequired("Vous devez accepter la charte pour créer un compte.")])

    def validate_siret(self, field: StringField) -> None:
        # Checked with the other fields, so that one submission lists every mistake at once.
        error = siret_error(field.data or "")
        if error:
            raise ValidationError(error)


class LoginForm(FlaskForm):
    email = EmailField("Adresse e-mail", validators=[DataRequired(REQUIRED), Length(max=254)])
    password = PasswordField("Mot de passe", validators=[DataRequired(REQUIRED), Length(max=256)])
    remember = BooleanField("Rester connecté sur cet appareil (30 jours)")
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Adresse e-mail du compte", validators=[DataRequired(REQUIRED), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField("Nouveau mot de passe", validators=[DataRequired(REQUIRED), Length(max=256)])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Mot de passe actuel", validators=[DataRequired(REQUIRED)])
    password = PasswordField("Nouveau mot de passe", validators=[DataRequired(REQUIRED), Length(max=256)])


class ProfileForm(FlaskForm):
    name = StringField("Prénom et nom", validators=[DataRequired(REQUIRED), Length(2, 120)])
    job_title = StringField("Fonction", validators=[Optional(), Length(max=120)])
    bio = TextAreaField("Présentation courte", validators=[Optional(), Length(max=2000)])
    themes = MultiCheckboxField("Thèmes d'expertise ou d'intérêt", choices=list(THEMES.items()), validators=[Optional()])


class NotificationSettingsForm(FlaskForm):
    email_notifications = BooleanField("Recevoir par e-mail les notifications importantes")


class TokenForm(FlaskForm):
    name = StringField("Nom du jeton", validators=[DataRequired(REQUIRED), Length(1, 80)])


class DeleteAccountForm(FlaskForm):
    password = PasswordField("Mot de passe", validators=[Optional()])
    confirm = StringField("Tapez SUPPRIMER pour confirmer", validators=[DataRequired(REQUIRED)])


class RoleForm(FlaskForm):
    role = SelectField("Rôle", choices=[(r.value, r.label) for r in Role])


class ReasonForm(FlaskForm):
    reason = StringField("Motif", validators=[Optional(), Length(max=500)])


class DepartementForm(FlaskForm):
    pass
