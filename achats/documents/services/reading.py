"""Reading the library: one document as a viewer may see it, the listing with its filters,
facet counts and sorts, versions, retours d'usage figures, and the threads that cite a document."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Select, case, false, func, select
from sqlalchemy.orm import Session

from achats.auth.models import Organisation
from achats.documents import permissions as perms
from achats.documents.models import (
    Document,
    DocumentCitation,
    DocumentCpv,
    DocumentReuse,
    DocumentTag,
    DocumentVersion,
)
from achats.documents.vocabulary import DocType, Famille, Levier, Licence, ReviewStatus, Visibility
from achats.platform import search
from achats.platform.cache import memo
from achats.platform.cpv import CPV_DIVISIONS
from achats.platform.ids import valid_id
from achats.platform.search import reader_of
from achats.platform.tags import Tag

SORTS = {"recents": "Les plus récents", "telecharges": "Les plus téléchargés", "mis-a-jour": "Mis à jour récemment"}
PER_PAGE = 20
MAX_MATCHED = 10_000


def get_document(session: Session, document_id: Any, viewer: Any) -> Document | None:
    if not valid_id(document_id):
        return None
    document = session.get(Document, document_id)
    return document if perms.can_view_document(viewer, document) else None


def get_by_slug(session: Session, slug: str, viewer: Any) -> Document | None:
    if not slug or len(slug) > 80:
        return None
    document = session.scalar(select(Document).where(Document.slug == slug))
    return document if perms.can_view_document(viewer, document) else None


def versions_for(session: Session, document: Document, viewer: Any) -> list[DocumentVersion]:
    """The versions `viewer` may see, newest first."""
    rows = session.scalars(select(DocumentVersion).where(DocumentVersion.document_id == document.id)
                           .order_by(DocumentVersion.number.desc()))
    return [v for v in rows if perms.can_view_version(viewer, document, v)]


def get_version(session: Session, document: Document, number: Any, viewer: Any) -> DocumentVersion | None:
    if not valid_id(number):
        return None
    version = session.scalar(select(DocumentVersion).where(
        DocumentVersion.document_id == document.id, DocumentVersion.number == number))
    return version if perms.can_view_version(viewer, document, version) else None


# --- the listing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LibraryFilters:
    """The library's filters as typed in the page's URL (unknown values are dropped, never an error)."""

    doc_type: str = ""
    theme: str = ""
    famille: str = ""
    cpv: str = ""  # a division: "45"
    levier: str = ""
    year: int | None = None
    organisation: int | None = None
    licence: str = ""
    q: str = ""
    sort: str = "recents"

    def without(self, name: str) -> LibraryFilters:
        changes: dict[str, Any] = {name: None if name in ("year", "organisation") else ""}
        return replace(self, **changes)

    @property
    def active(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in ("", None) and k not in ("sort",)}


def clean_filters(raw: dict[str, Any]) -> LibraryFilters:
    def choice(value: Any, allowed: Sequence[str]) -> str:
        return value if isinstance(value, str) and value in allowed else ""

    year = raw.get("year")
    organisation = raw.get("organisation")
    return LibraryFilters(
        doc_type=choice(raw.get("doc_type"), [d.value for d in DocType]),
        theme=raw["theme"][:60] if isinstance(raw.get("theme"), str) else "",
        famille=choice(raw.get("famille"), [f.value for f in Famille]),
        cpv=choice(raw.get("cpv"), list(CPV_DIVISIONS)),
        levier=choice(raw.get("levier"), [lv.value for lv in Levier]),
        year=year if isinstance(year, int) and 1990 <= year <= 2100 else None,
        organisation=organisation if valid_id(organisation) else None,
        licence=choice(raw.get("licence"), [li.value for li in Licence]),
        q=(raw.get("q") or "")[:200] if isinstance(raw.get("q"), str) else "",
        sort=choice(raw.get("sort"), list(SORTS)) or "recents",
    )


def _where(filters: LibraryFilters, matched: list[int] | None) -> list[Any]:
    where: list[Any] = []
    if filters.doc_type:
        where.append(Document.doc_type == filters.doc_type)
    if filters.famille:
        where.append(Document.famille == filters.famille)
    if filters.levier:
        where.append(Document.levier == filters.levier)
    if filters.licence:
        where.append(Document.licence == filters.licence)
    if filters.year is not None:
        where.append(Document.year == filters.year)
    if filters.organisation is not None:
        where.append(Document.organisation_id == filters.organisation)
    if filters.theme:
        where.append(Document.id.in_(select(DocumentTag.document_id).join(Tag, Tag.id == DocumentTag.tag_id)
                                     .where(Tag.slug == filters.theme)))
    if filters.cpv:
        where.append(Document.id.in_(select(DocumentCpv.document_id).where(DocumentCpv.division == filters.cpv)))
    if matched is not None:
        where.append(Document.id.in_(matched or [0]))
    return where


def listed(viewer: Any) -> Select[tuple[Document]]:
    """The documents the library lists to `viewer`: published, not hidden, and public unless they
    are signed in (their own pending ones are on "Mes documents", not in the shared listing).
    Written without the OR of visible_to so that the partial index ix_document_published
    (published_at, id) serves the default order."""
    # "hidden = false", not "hidden IS false": the partial index's predicate must match as written.
    query = select(Document).where(Document.status == ReviewStatus.PUBLISHED, Document.hidden == false())
    if not perms.is_reader(viewer):
        query = query.where(Document.visibility == Visibility.PUBLIC)
    return query


def page_of(session: Session, query: Select[tuple[Document]], offset: int, limit: int,
            total: int | None = None) -> tuple[list[Document], int]:
    """One page of a listing and the listing's size (counted unless given): the page's ids first
    (a narrow sort over the index), then those documents with what they show (owner,
    organisation, version, themes)."""
    ids = list(session.scalars(query.with_only_columns(Document.id).offset(offset).limit(limit)))
    if total is None:
        total = session.scalar(select(func.count()).select_from(
            query.with_only_columns(Document.id).order_by(None).subquery())) or 0
    rows = {d.id: d for d in session.scalars(select(Document).where(Document.id.in_(ids or [0])))}
    return [rows[i] for i in ids if i in rows], int(total)


def matched_ids(session: Session, viewer: Any, q: str) -> list[int] | None:
    """The documents whose title, description or text match `q` (the search engine), or None
    when there are no words to look for."""
    if not (q or "").strip():
        return None
    return search.matching_ids(session, q, viewer=viewer, types=["document"], limit=2_000)


def library_query(session: Session, viewer: Any, filters: LibraryFilters, ranked: Sequence[int] = (),
                  matched: list[int] | None = None) -> Select[tuple[Document]]:
    """The listing; with words and the default sort, the `ranked` ids (the engine's most relevant
    first) lead, the other matches follow by date. `matched`: the ids matching the words, when
    the caller has them already."""
    if matched is None:
        matched = matched_ids(session, viewer, filters.q)
    query = listed(viewer).where(*_where(filters, matched))
    if filters.q and filters.sort == "recents" and ranked:
        order = case({doc_id: i for i, doc_id in enumerate(ranked)}, value=Document.id, else_=len(ranked))
        return query.order_by(order, Document.published_at.desc(), Document.id.desc())
    if filters.sort == "telecharges":
        return query.order_by(Document.download_count.desc(), Document.published_at.desc(), Document.id.desc())
    if filters.sort == "mis-a-jour":
        return query.order_by(Document.updated_at.desc(), Document.id.desc())
    return query.order_by(Document.published_at.desc(), Document.id.desc())


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    values: tuple[FacetValue, ...] = field(default_factory=tuple)


FACETS = (("doc_type", "Type de document"), ("theme", "Thème"), ("famille", "Famille d'achat"),
          ("cpv", "Division CPV"), ("levier", "Levier juridique"), ("year", "Année"),
          ("organisation", "Organisme"), ("licence", "Licence"))


def _facet_rows(session: Session, viewer: Any, name: str, filters: LibraryFilters,
                matched: list[int] | None) -> list[tuple[Any, Any, int]]:
    """(value, label, count) of one facet, with every other filter applied (the counts say what
    choosing the value would give)."""
    base = listed(viewer).where(*_where(filters.without(name), matched)).with_only_columns(Document.id).subquery()
    count = func.count(base.c.id)
    stmt: Any
    if name == "theme":
        stmt = (select(Tag.slug, Tag.name, count).select_from(base).join(DocumentTag, DocumentTag.document_id == base.c.id)
                .join(Tag, Tag.id == DocumentTag.tag_id).group_by(Tag.slug, Tag.name, Tag.position).order_by(Tag.position))
        return [(s, n, c) for s, n, c in session.execute(stmt)]
    if name == "cpv":
        stmt = (select(DocumentCpv.division, count).select_from(base)
                .join(DocumentCpv, DocumentCpv.document_id == base.c.id).group_by(DocumentCpv.division)
                .order_by(DocumentCpv.division))
        return [(d, f"{d} — {CPV_DIVISIONS.get(d, '')}", c) for d, c in session.execute(stmt)]
    if name == "organisation":
        stmt = (select(Organisation.id, Organisation.name, count).select_from(base)
                .join(Document, Document.id == base.c.id).join(Organisation, Organisation.id == Document.organisation_id)
                .group_by(Organisation.id, Organisation.name).order_by(count.desc(), Organisation.name).limit(30))
        return [(i, n, c) for i, n, c in session.execute(stmt)]
    column = {"doc_type": Document.doc_type, "famille": Document.famille, "levier": Document.levier,
              "year": Document.year, "licence": Document.licence}[name]
    stmt = (select(column, count).select_from(base).join(Document, Document.id == base.c.id)
            .where(column.is_not(None)).group_by(column))
    rows = list(session.execute(stmt))
    if name == "year":
        return [(y, str(y), c) for y, c in sorted(rows, key=lambda r: -r[0])]
    label: Any = {"doc_type": DocType, "famille": Famille, "levier": Levier, "licence": Licence}[name]
    order = {m.value: i for i, m in enumerate(label)}
    return [(str(v), label(v).label, c) for v, c in sorted(rows, key=lambda r: order.get(str(r[0]), 99))]


def facets(session: Session, viewer: Any, filters: LibraryFilters) -> list[Facet]:
    """Every facet with its counts, kept in the derived cache until the library changes: the
    listing page asks for them on every visit, and eight grouped counts are its costliest part."""
    reader = reader_of(viewer)
    key = ("library-facets", replace(filters, sort="recents"), reader.audiences, reader.user_id)

    def compute() -> list[Facet]:
        matched = matched_ids(session, viewer, filters.q)
        return [Facet(name, label, tuple(FacetValue(str(v), lb, c) for v, lb, c in
                                         _facet_rows(session, viewer, name, filters, matched)))
                for name, label in FACETS]

    return memo("content", key, compute, ttl=300)


def total_from_facets(facets: Sequence[Facet], filters: LibraryFilters) -> int:
    """The listing's size, read from its (cached) facets: every document has exactly one type, so
    the type facet's counts (taken under the other filters) add up to it, or give it for the
    chosen type."""
    values = next((f.values for f in facets if f.name == "doc_type"), ())
    if filters.doc_type:
        return next((v.count for v in values if v.value == filters.doc_type), 0)
    return sum(v.count for v in values)


# --- searching the library ------------------------------------------------------------------------------
# With words, the listing, its count and its facets come from the search index: one query gives
# the matches' facet tokens (every facet's counts follow from them, each with the other filters
# applied), and the engine gives the page of ranked hits with their passages.

INDEX_FACETS = {"doc_type": "doc_type", "theme": "tag", "famille": "famille", "cpv": "cpv", "levier": "levier",
                "year": "year", "organisation": "org", "licence": "licence"}


def library_reader(viewer: Any) -> search.Reader:
    """Whom the shared listing is for: what is published (members or public), whatever else the
    viewer may open elsewhere (their own pending documents are on "Mes documents")."""
    return search.Reader(reader_of(viewer).audiences & {search.PUBLIC, search.MEMBERS})


def index_facets(filters: LibraryFilters) -> dict[str, Any]:
    return {INDEX_FACETS[name]: value for name in INDEX_FACETS
            if (value := getattr(filters, name)) not in ("", None)}


@dataclass(frozen=True)
class Matches:
    total: int  # the matches with every filter applied
    facets: tuple[Facet, ...]
    ids: tuple[int, ...] = ()  # the words' matches (no filter, in no order) when asked for


def matches(session: Session, viewer: Any, filters: LibraryFilters, *, facets: bool = True,
            ids: bool = False) -> Matches:
    """How many documents match the words under the filters (among at most MAX_MATCHED), the
    facet counts of the matches (each facet with the other filters applied) and, with `ids`, the
    words' matches for a listing in another order than relevance."""
    from achats.platform.search.index import facet_token

    active = {INDEX_FACETS[name]: facet_token(INDEX_FACETS[name], value) for name, value in
              ((n, getattr(filters, n)) for n in INDEX_FACETS) if value not in ("", None)}
    counted = search.facet_counts(session, filters.q, viewer=library_reader(viewer), types=["document"],
                                  active=active, limit=MAX_MATCHED, tokens=facets)
    found = []
    for name, label in FACETS if facets else ():
        prefix = INDEX_FACETS[name] + ":"
        counts = {tok[len(prefix):]: n for tok, n in counted.counts.items() if tok.startswith(prefix)}
        found.append(Facet(name, label, tuple(_labelled(session, name, counts))))
    matched = tuple(search.matching_ids(session, filters.q, viewer=library_reader(viewer), types=["document"],
                                        limit=MAX_MATCHED)) if ids else ()
    return Matches(counted.total, tuple(found), matched)


def _labelled(session: Session, name: str, counts: dict[str, int]) -> list[FacetValue]:
    """Facet values with their labels, in each facet's order."""
    if not counts:
        return []
    if name == "theme":
        tags = session.execute(select(Tag.slug, Tag.name).where(Tag.slug.in_(list(counts))).order_by(Tag.position))
        return [FacetValue(slug, tag_name, counts[slug]) for slug, tag_name in tags]
    if name == "cpv":
        return [FacetValue(d, f"{d} — {CPV_DIVISIONS.get(d, '')}", counts[d]) for d in sorted(counts)]
    if name == "year":
        return [FacetValue(y, y, counts[y]) for y in sorted(counts, reverse=True)]
    if name == "organisation":
        top = sorted(counts, key=lambda k: -counts[k])[:30]
        rows = session.execute(select(Organisation.id, Organisation.name)
                               .where(Organisation.id.in_([int(i) for i in top if i.isdigit()])))
        names: dict[int, str] = {org_id: org_name for org_id, org_name in rows}
        return sorted((FacetValue(i, names[int(i)], counts[i]) for i in top if i.isdigit() and int(i) in names),
                      key=lambda v: (-v.count, v.label))
    vocabulary: Any = {"doc_type": DocType, "famille": Famille, "levier": Levier, "licence": Licence}[name]
    return [FacetValue(m.value, m.label, counts[m.value]) for m in vocabulary if m.value in counts]


def ranked_hits(session: Session, viewer: Any, filters: LibraryFilters, offset: int, limit: int) -> list[Any]:
    """A slice of the engine's most relevant matches, with the passage and its page number."""
    results = search.search(session, filters.q, viewer=library_reader(viewer), types=["document"],
                            facets=index_facets(filters), limit=limit, offset=offset)
    return list(results.hits)


# --- figures ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReuseFigures:
    count: int = 0
    average_bids: float | None = None
    awarded: int = 0


def reuse_figures(session: Session, document_ids: Sequence[int]) -> dict[int, ReuseFigures]:
    """Retours d'usage per document: how many, the average number of bids, how many awarded."""
    if not document_ids:
        return {}
    rows = session.execute(
        select(DocumentReuse.document_id, func.count(DocumentReuse.id), func.avg(DocumentReuse.bids_received),
               func.sum(case((DocumentReuse.outcome == "awarded", 1), else_=0)))
        .where(DocumentReuse.document_id.in_(list(document_ids))).group_by(DocumentReuse.document_id))
    return {doc_id: ReuseFigures(int(n), float(avg) if avg is not None else None, int(awarded or 0))
            for doc_id, n, avg, awarded in rows}


def reuses_of(session: Session, document: Document) -> list[DocumentReuse]:
    return list(session.scalars(select(DocumentReuse).where(DocumentReuse.document_id == document.id)
                                .order_by(DocumentReuse.created_at.desc(), DocumentReuse.id.desc()).limit(200)))


def citations_of(session: Session, document: Document, viewer: Any) -> list[DocumentCitation]:
    """The threads citing the document that `viewer` may read (asked to the feature owning them
    through its room kind: the library does not know the forums)."""
    from achats.platform.features import registry

    rows = list(session.scalars(select(DocumentCitation).where(DocumentCitation.document_id == document.id)
                                .order_by(DocumentCitation.created_at.desc()).limit(50)))
    room = registry().rooms.get("thread")
    if room is None or not perms.is_reader(viewer):
        return []
    seen: set[int] = set()
    shown = []
    for row in rows:
        if row.thread_id in seen:
            continue
        seen.add(row.thread_id)
        if room.may_join(viewer, row.thread_id):
            shown.append(row)
    return shown


def my_documents(session: Session, owner: Any) -> list[Document]:
    return list(session.scalars(select(Document).where(Document.owner_id == owner.id)
                                .order_by(Document.created_at.desc()).limit(200)))


def pending_versions(session: Session) -> list[DocumentVersion]:
    return list(session.scalars(select(DocumentVersion).where(DocumentVersion.status == ReviewStatus.PENDING)
                                .order_by(DocumentVersion.created_at, DocumentVersion.id).limit(200)))

