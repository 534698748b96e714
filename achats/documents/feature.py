"""What the library brings to the platform: shared tender documents, clauses and publications,
reviewed before publication, searchable inside the files, with their retours d'usage."""

from __future__ import annotations

from typing import Any

from achats.platform.features import (
    DemoSeeder,
    FacetChoice,
    Feature,
    HomeBlock,
    NavLink,
    NotificationKind,
    SearchFilter,
    SearchType,
    Task,
)

EVENTS = (
    "document_uploaded", "document_version_uploaded", "document_published", "document_rejected",
    "document_changed", "document_reused",
)


def _doc_type_choices(_session: Any) -> list[FacetChoice]:
    from achats.documents.vocabulary import DocType

    return [FacetChoice(d.value, d.value, d.label) for d in DocType]


def feature() -> Feature:
    from achats.documents import (
        attachments,
        home,
        indexing,
        moderation,
        notifying,
        permissions,
        personal_data,
        tasks,
    )
    from achats.documents.api import api
    from achats.documents.demo import seed
    from achats.documents.services import citing
    from achats.documents.views import bp

    indexed = [indexing.on_document]
    return Feature(
        name="documents",
        blueprints=[bp],
        api_blueprints=[api],
        permissions=permissions.PREDICATES,
        notification_kinds=[
            NotificationKind("document_published", "Document publié dans la bibliothèque", ("app", "mail"),
                             mail_template="document_published", mail_subject="Votre document est publié"),
            NotificationKind("document_rejected", "Document non publié", ("app", "mail"),
                             mail_template="document_rejected",
                             mail_subject="Votre document n'a pas été publié"),
        ],
        search_types=[SearchType("document", "Document", "Documents", "documents",
                                 reindex=indexing.reindex_documents)],
        search_filters=[SearchFilter("piece", "doc_type", "doc_type", "Type de document", _doc_type_choices,
                                     any_label="Tous les types")],
        moderation_targets=moderation.moderation_targets(),
        queue_sections=moderation.queue_sections(),
        exports={
            "library_documents": personal_data.export_documents,
            "library_reuses": personal_data.export_reuses,
            "library_downloads": personal_data.export_downloads,
        },
        deletion_handlers=[personal_data.forget_account],
        events=EVENTS,
        subscriptions={
            "document_uploaded": indexed,
            "document_version_uploaded": indexed,
            "document_published": [indexing.on_document, notifying.on_published],
            "document_rejected": [indexing.on_document, notifying.on_rejected],
            "document_changed": indexed,
            # "Discuté dans": the forums' posts that link to a document or carry it (by event name).
            "thread_created": [citing.on_post_written],
            "post_created": [citing.on_post_written],
            "post_edited": [citing.on_post_written],
            "post_loaded": [citing.on_post_written],
        },
        tasks=[Task("documents.extract_version", tasks.extract_version, retries=1, retry_delay=30)],
        nav_links=[
            NavLink("Bibliothèque", "documents.list_documents", path_prefix="/bibliotheque", order=20),
            NavLink("Documents à vérifier", "documents.review_list", path_prefix="/bibliotheque/verification",
                    visible=permissions.can_review, order=85),
        ],
        home_blocks=[HomeBlock("documents/_home_latest.html", home.latest_documents, order=30)],
        demo_seeders=[DemoSeeder("documents", seed.seed, present=seed.present)],
        attachments=attachments.provider(),
    )
