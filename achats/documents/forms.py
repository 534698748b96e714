"""The library's forms (Flask-WTF: a CSRF token on each); choices from the database set by the views."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from achats.documents.vocabulary import (
    DocType,
    Famille,
    Levier,
    Licence,
    Outcome,
    Procedure,
    Visibility,
)
from achats.platform.forms import Form

REQUIRED = "Ce champ est obligatoire."
ACCEPT = ".pdf,.docx,.xlsx,.odt,.ods,application/pdf"


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _optional(choices: list[tuple[str, str]], empty: str) -> list[tuple[str, str]]:
    return [("", empty), *choices]


class DescriptionFields(Form):
    title = StringField("Titre", validators=[DataRequired(REQUIRED), Length(5, 200)],
                        description="Ce que le document apporte, en une ligne : « CCTP nettoyage des locaux avec produits écolabellisés ».")
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)],
                                description="Le contexte : l'organisme, le marché, ce qui a bien marché ou non (Markdown accepté).")
    doc_type = SelectField("Type de document", validators=[DataRequired(REQUIRED)],
                           choices=_optional([(d.value, d.label) for d in DocType], "Choisissez…"))
    themes = MultiCheckboxField("Thèmes", validators=[Optional()], choices=[])
    famille = SelectField("Famille d'achat", validators=[Optional()],
                          choices=_optional([(f.value, f.label) for f in Famille], "Non précisée"))
    cpv_codes = StringField("Codes CPV", validators=[Optional(), Length(max=200)],
                            description="Séparés par des virgules, au format 90911200-8.")
    levier = SelectField("Levier juridique", validators=[Optional()],
                         choices=_optional([(lv.value, lv.label) for lv in Levier], "Non précisé"))
    procedure = SelectField("Procédure", validators=[Optional()],
                            choices=_optional([(p.value, p.label) for p in Procedure], "Non précisée"))
    organisation_id = SelectField("Organisme émetteur", validators=[Optional()], choices=[])
    year = IntegerField("Année", validators=[Optional(), NumberRange(1990, 2100, "Une année entre 1990 et 2100.")])
    licence = SelectField("Licence", validators=[DataRequired(REQUIRED)],
                          choices=[(li.value, li.label) for li in Licence], default=Licence.LICENCE_OUVERTE.value,
                          description="« Tous droits réservés » : le document n'est pas diffusé ici, seul le lien vers sa source l'est.")
    source_url = StringField("Lien vers la source", validators=[Optional(), Length(max=500)])
    up_to_date_on = DateField("À jour au", validators=[Optional()],
                              description="La date à laquelle le contenu juridique a été vérifié.")
    visibility = RadioField("Visibilité", choices=[(v.value, v.label) for v in Visibility],
                            default=Visibility.MEMBERS.value)


class UploadForm(DescriptionFields):
    file = FileField("Fichier", description="PDF, DOCX, XLSX, ODT ou ODS, 50 Mo au plus.",
                     render_kw={"accept": ACCEPT, "data-max-bytes": str(50 * 1024 * 1024)})
    note = StringField("Ce qui a changé", validators=[Optional(), Length(max=300)])
    confirm_redaction = BooleanField(
        "Je confirme avoir retiré les données personnelles (noms, signatures, téléphones) et les prix confidentiels")


class VersionForm(Form):
    file = FileField("Nouvelle version du fichier", description="PDF, DOCX, XLSX, ODT ou ODS, 50 Mo au plus.",
                     render_kw={"accept": ACCEPT, "data-max-bytes": str(50 * 1024 * 1024)})
    note = StringField("Ce qui a changé", validators=[Optional(), Length(max=300)])
    confirm_redaction = BooleanField(
        "Je confirme avoir retiré les données personnelles (noms, signatures, téléphones) et les prix confidentiels")


class EditForm(DescriptionFields):
    pass


class ReuseForm(Form):
    procedure = SelectField("Procédure utilisée", validators=[DataRequired(REQUIRED)],
                            choices=_optional([(p.value, p.label) for p in Procedure], "Choisissez…"))
    year = IntegerField("Année", validators=[DataRequired(REQUIRED), NumberRange(1990, 2100, "Une année entre 1990 et 2100.")])
    bids_received = IntegerField("Nombre d'offres reçues",
                                 validators=[InputRequired(REQUIRED), NumberRange(0, 999, "Entre 0 et 999.")])
    outcome = RadioField("Issue", validators=[DataRequired(REQUIRED)],
                         choices=[(o.value, o.label) for o in Outcome])
    comment = TextAreaField("Commentaire", validators=[Optional(), Length(max=2000)],
                            description="Ce qui a marché, ce que vous changeriez.")


class ReviewForm(Form):
    reason = TextAreaField("Motif (obligatoire pour un refus)", validators=[Optional(), Length(max=1000)])


class DateForm(Form):
    up_to_date_on = DateField("À jour au", validators=[Optional()])
