"""The events' vocabulary: kinds, states and their French labels."""

from __future__ import annotations

import enum


class EventKind(enum.StrEnum):
    WEBINAR = "webinar"
    ASSISES = "assises"

    @property
    def label(self) -> str:
        return {"webinar": "Webinaire", "assises": "Assises"}[self.value]


class EventStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {"draft": "Brouillon", "published": "Publié", "cancelled": "Annulé"}[self.value]


class SessionKind(enum.StrEnum):
    PLENARY = "plenary"
    WORKSHOP = "workshop"
    APPOINTMENT = "appointment"  # a clinique du DCE slot: one registrant with a help-desk expert

    @property
    def label(self) -> str:
        return {"plenary": "Plénière", "workshop": "Atelier", "appointment": "Clinique du DCE"}[self.value]


class RegistrationStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {"confirmed": "Inscription confirmée", "waitlisted": "Sur liste d'attente",
                "cancelled": "Inscription annulée"}[self.value]


class ChoiceStatus(enum.StrEnum):
    """A workshop or appointment choice: holding a seat, waiting for one, or held back while the
    registration itself waits for a seat at the event."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    PENDING = "pending"

    @property
    def label(self) -> str:
        return {"confirmed": "Place confirmée", "waitlisted": "Sur liste d'attente",
                "pending": "En attente de votre place à l'événement"}[self.value]


# Per-event questions (Event.questions): key, French label, kind ("text" or "textarea").
DEFAULT_QUESTIONS: dict[str, list[dict[str, str]]] = {
    "webinar": [
        {"key": "accessibility", "label": "Besoins d'accessibilité (sous-titrage, interprétation…)", "kind": "text"},
        {"key": "comment", "label": "Une question que vous aimeriez voir traitée", "kind": "textarea"},
    ],
    "assises": [
        {"key": "dietary", "label": "Régime alimentaire ou allergies (pour le déjeuner)", "kind": "text"},
        {"key": "accessibility", "label": "Besoins d'accessibilité (accès, interprétation, boucle magnétique…)",
         "kind": "text"},
        {"key": "comment", "label": "Commentaire", "kind": "textarea"},
    ],
}

ANSWER_MAX = 500
