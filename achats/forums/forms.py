"""Forum forms (Flask-WTF: a CSRF token on each); choices from the database are set by the views."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from achats.forums.models import ThreadKind, WatchLevel
from achats.platform.moderation.models import FlagReason
from achats.platform.tags import TagFacet

REQUIRED = "Ce champ est obligatoire."
BODY_MAX = 30_000
BODY_TOO_LONG = "Le message ne doit pas dépasser 30\u202f000 caractères."

KIND_CHOICES = [
    (ThreadKind.QUESTION.value, "Une question : j'attends une réponse précise"),
    (ThreadKind.DISCUSSION.value, "Une discussion : je partage ou je lance un échange"),
]
WATCH_CHOICES = [
    (WatchLevel.WATCHING.value, "Suivre : être prévenu de chaque nouveau message"),
    (WatchLevel.TRACKING.value, "Suivi léger : compteur de nouveaux messages, prévenu si l'on me répond"),
    (WatchLevel.NORMAL.value, "Normal : prévenu seulement si l'on me répond ou me cite"),
    (WatchLevel.MUTED.value, "Silencieux : aucune notification pour ce sujet"),
]
WATCH_LABELS = {
    WatchLevel.WATCHING.value: "Suivre",
    WatchLevel.TRACKING.value: "Suivi léger",
    WatchLevel.NORMAL.value: "Normal",
    WatchLevel.MUTED.value: "Silencieux",
}

# The facets offered as checkboxes on the new-thread form, in the order shown.
CHECKBOX_FACETS = (TagFacet.THEME, TagFacet.FAMILLE, TagFacet.LEVIER, TagFacet.PROCEDURE)
FACET_LEGENDS = {
    TagFacet.THEME: "Thèmes",
    TagFacet.FAMILLE: "Famille d'achat",
    TagFacet.LEVIER: "Levier juridique",
    TagFacet.PROCEDURE: "Procédure",
    TagFacet.CPV: "Division CPV",
}


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form: Any) -> None:
        # Unknown values are dropped rather than refused: a tag removed meanwhile loses nothing else.
        if self.data:
            known = {str(choice[0]) for choice in self.choices or []}
            self.data = [value for value in self.data if value in known]


class AttachmentFields:
    """A file joined to a message: it becomes a library document, published after review. The
    type's choices come from the feature keeping files (set by the views)."""

    attachment = FileField("Document à joindre", description="PDF, DOCX, XLSX, ODT ou ODS, 50 Mo au plus. Il rejoint "
                           "la bibliothèque une fois vérifié par la modération.",
                           render_kw={"accept": ".pdf,.docx,.xlsx,.odt,.ods", "data-max-bytes": str(50 * 1024 * 1024)})
    attachment_type = SelectField("Type de pièce", choices=[], validators=[Optional()], validate_choice=False)
    attachment_confirm = BooleanField("Je confirme avoir retiré les données personnelles (noms, signatures, "
                                      "téléphones) et les prix confidentiels du document")


class ThreadForm(AttachmentFields, FlaskForm):
    category = SelectField("Catégorie", validators=[DataRequired(REQUIRED)], choices=[])
    kind = RadioField("Type de message", choices=KIND_CHOICES, default=ThreadKind.QUESTION.value,
                      validators=[DataRequired(REQUIRED)])
    title = StringField(
        "Titre",
        validators=[DataRequired(REQUIRED), Length(max=200, message="Le titre ne doit pas dépasser 200 caractères.")],
        description="En une phrase, comme vous le diriez à un collègue : "
                    "« Quelle pondération minimale pour le critère environnemental d'un MAPA de fournitures ? »",
    )
    body = TextAreaField(
        "Votre message",
        validators=[DataRequired(REQUIRED), Length(max=BODY_MAX, message=BODY_TOO_LONG)],
        description="Donnez le contexte : type d'organisme, montant estimé, calendrier. "
                    "Ne mettez ni nom de fournisseur ni donnée personnelle. Mise en forme Markdown possible.",
    )
    theme = MultiCheckboxField("Thèmes", choices=[])
    famille = MultiCheckboxField("Famille d'achat", choices=[])
    levier = MultiCheckboxField("Levier juridique", choices=[])
    procedure = MultiCheckboxField("Procédure", choices=[])
    cpv = SelectField("Division CPV", choices=[], validators=[Optional()])
    up_to_date_on = DateField("À jour au", validators=[Optional()],
                              description="Date à laquelle le contenu juridique a été vérifié (experts).")

    def set_tag_choices(self, tags: Iterable[Any]) -> None:
        by_facet: dict[str, list[tuple[str, str]]] = {}
        for tag in tags:
            by_facet.setdefault(str(tag.facet), []).append((tag.slug, tag.name))
        for facet in CHECKBOX_FACETS:
            getattr(self, facet.value).choices = by_facet.get(facet.value, [])
        self.cpv.choices = [("", "— Aucune —"), *by_facet.get(TagFacet.CPV.value, [])]

    def tag_slugs(self) -> list[str]:
        slugs: list[str] = []
        for facet in CHECKBOX_FACETS:
            slugs.extend(getattr(self, facet.value).data or [])
        if self.cpv.data:
            slugs.append(self.cpv.data)
        return slugs


class ReplyForm(AttachmentFields, FlaskForm):
    body = TextAreaField(
        "Votre réponse",
        validators=[DataRequired(REQUIRED), Length(max=BODY_MAX, message=BODY_TOO_LONG)],
        description="Mise en forme Markdown possible ; tapez @ suivi d'un nom pour mentionner quelqu'un.",
    )
    reply_to_id = HiddenField()
    up_to_date_on = DateField("À jour au", validators=[Optional()],
                              description="Date à laquelle vous avez vérifié le contenu juridique de votre réponse.")


class EditPostForm(FlaskForm):
    body = TextAreaField(
        "Message",
        validators=[DataRequired(REQUIRED), Length(max=BODY_MAX, message=BODY_TOO_LONG)],
    )
    reason = StringField("Raison de la modification", validators=[Optional(), Length(max=300)],
                         description="Facultatif, affiché dans l'historique : « précision sur le seuil », « faute de frappe »…")


class FlagForm(FlaskForm):
    reason = SelectField("Motif du signalement", choices=[(r.value, r.label) for r in FlagReason],
                         validators=[DataRequired(REQUIRED)])
    detail = TextAreaField("Précisions (facultatif)", validators=[Optional(), Length(max=1000)])


class WatchForm(FlaskForm):
    level = RadioField("Notifications pour ce sujet", choices=WATCH_CHOICES, validators=[DataRequired(REQUIRED)])


class UpToDateForm(FlaskForm):
    up_to_date_on = DateField("À jour au", validators=[DataRequired("Indiquez une date.")])


class ModerationForm(FlaskForm):
    reason = StringField("Motif (journal de modération)", validators=[Optional(), Length(max=1000)])


class MoveForm(FlaskForm):
    category = SelectField("Nouvelle catégorie", choices=[], validators=[DataRequired(REQUIRED)])
    reason = StringField("Motif (journal de modération)", validators=[Optional(), Length(max=1000)])
