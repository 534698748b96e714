"""The feature contract: what a feature declares, and the registry an app builds from the declarations.

A feature package (auth, forums, search, documents, events…) exposes one `Feature`: a plain
table of contents of what it brings to the shell. `create_app(features=[...])` hands the ordered
list to `Registry.build`, which checks the declarations against each other (one owner per
name) and keeps the result on the app (`app.extensions["achats"]`), never in module globals,
so that two apps built in one process see only their own features.

The platform reads the registry and knows no feature by name: it asks "which room kinds exist,
who may join this one", "which notification kinds exist", "which search types", "who may act
on this moderation target" and so on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import click
    from flask import Blueprint, Flask
    from sqlalchemy.orm import Session

    from achats.platform.accounts import Account


def _anyone(_user: Any) -> bool:
    return True


# --- the parts of a declaration ----------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """Who is signed in: the one feature that owns accounts provides it (auth).

    `load_user(id_string)` backs Flask-Login's session cookie (the id carries the session token),
    `user_for_token(secret)` the API's bearer tokens and sockets' `auth={"token": …}`,
    `user_by_id(id)` a socket's user on each event, `display_names(ids)` the names pages show
    for those accounts (a deleted account's as DELETED_ACCOUNT_NAME, unknown ids left out). The
    endpoints are the shell's sign-in links."""

    load_user: Callable[[str], Account | None]
    user_for_token: Callable[[str], Account | None]
    user_by_id: Callable[[int], Account | None]
    users_by_ids: Callable[[Sequence[int]], Mapping[int, Account]]
    display_names: Callable[[Sequence[int]], Mapping[int, str]]
    login_endpoint: str
    register_endpoint: str
    logout_endpoint: str
    profile_endpoint: str  # takes user_id
    settings_endpoint: str


@dataclass(frozen=True)
class RoomKind:
    """Socket.IO rooms "<prefix>:<id>": `load(id)` finds the object (whatever its state, None when
    it does not exist) and `may_read(user, obj)` says who may follow it. Both are asked when a
    socket joins, and again for every member when something is delivered (access at delivery)."""

    prefix: str
    load: Callable[[int], Any]
    may_read: Callable[[Account, Any], bool]

    def may_join(self, user: Account, object_id: int) -> bool:
        obj = self.load(object_id)
        return obj is not None and bool(self.may_read(user, obj))


@dataclass(frozen=True)
class NotificationKind:
    """A kind of notification: its French label (the list and the settings show it), the channels
    it uses by default ("app": the bell, live; "mail": also by e-mail when the person accepts
    mail) and, for the mail channel, the template `mail/<template>.txt` and the subject."""

    name: str
    label: str
    channels: tuple[str, ...] = ("app",)
    mail_template: str | None = None
    mail_subject: str | None = None


@dataclass(frozen=True)
class SearchType:
    """A type of search entry. `indexes_title` False: the title is shown but not searched (a reply
    carries its thread's title). `url_value` is the type's name in the search page's URL
    (?type=sujets). `reindex(session) -> count` rebuilds every entry of the type."""

    name: str
    label: str
    plural: str
    url_value: str
    indexes_title: bool = True
    reindex: Callable[[Session], int] | None = None


@dataclass(frozen=True)
class FacetChoice:
    value: str  # in the page's URL
    token: str  # in the index
    label: str
    hit_badge: str | None = None  # shown as a badge on the hits carrying it ("Résolu")


@dataclass(frozen=True)
class SearchFilter:
    """A filter of the search page and API over an index facet ("category:12"): `param` in the
    page's URL, `api_param` in GET /api/v1/search (it takes the token), `choices(session)` what
    the page offers. `hit_format` ("dans {label}") describes a hit carrying the facet."""

    param: str
    api_param: str
    facet: str
    label: str
    choices: Callable[[Session], Sequence[FacetChoice]]
    any_label: str = "Indifférent"
    hit_format: str | None = None


@dataclass(frozen=True)
class ModerationTarget:
    """Something moderators act on through POST /moderation/actions. `act(session, actor, request)`
    loads the target, asks the feature's own predicate (the one its pages ask) and changes it;
    it raises `platform.moderation.Refused` (403), `NotFound` (404), `Conflict` (409) or
    `Invalid` (422) and returns the new state."""

    type: str
    label: str
    actions: tuple[str, ...]
    act: Callable[[Session, Account, Any], dict[str, Any]]


@dataclass(frozen=True)
class QueueSection:
    """A section of GET /moderation/queue (and of the review pages): `items(session, actor)` lists
    what `actor` may act on; `visible_to(actor)` says whether the section concerns them."""

    name: str
    label: str
    items: Callable[[Session, Account], list[dict[str, Any]]]
    visible_to: Callable[[Account], bool]


@dataclass(frozen=True)
class Task:
    """Work for the task queue (never a web worker). `schedule` (a huey.crontab) makes it periodic;
    `retries`/`retry_delay` (seconds) retry a failure. `fn` runs in an app context."""

    name: str
    fn: Callable[..., Any]
    schedule: Any = None
    retries: int = 0
    retry_delay: int = 60
    # The scheduled job that also runs it by hand ("reminders": `achats send-reminders`,
    # "digests": `achats send-digests`); such a task returns a line saying what it did.
    job: str | None = None


@dataclass(frozen=True)
class NavLink:
    """A link of the main menu ("main") or of the account menu ("account")."""

    label: str
    endpoint: str
    path_prefix: str = ""
    visible: Callable[[Any], bool] = _anyone
    menu: str = "main"
    order: int = 50


@dataclass(frozen=True)
class HomeBlock:
    """A section of the home page: a template rendered with `context()` (None: not shown)."""

    template: str
    context: Callable[[], dict[str, Any] | None]
    order: int = 50


@dataclass(frozen=True)
class DemoSeeder:
    """`seed()` yields what it did (printed by `achats seed-demo`); `present()` says whether demo
    content is there already (`seed-demo --if-empty`)."""

    name: str
    seed: Callable[[], Iterator[str]]
    present: Callable[[], bool] | None = None


@dataclass(frozen=True)
class Feature:
    """Everything a feature contributes, in one place (read it as the feature's table of contents).

    Fields left empty contribute nothing. Names (permissions, rooms, kinds, types, targets,
    sections, tasks, export parts, events) must be unique across the app's features."""

    name: str
    blueprints: Sequence[Blueprint] = ()
    api_blueprints: Sequence[Blueprint] = ()
    permissions: Mapping[str, Callable[..., bool]] = field(default_factory=dict)
    rooms: Sequence[RoomKind] = ()
    notification_kinds: Sequence[NotificationKind] = ()
    search_types: Sequence[SearchType] = ()
    search_filters: Sequence[SearchFilter] = ()
    moderation_targets: Sequence[ModerationTarget] = ()
    queue_sections: Sequence[QueueSection] = ()
    # Personal data: export parts (name -> fn(session, user) -> JSON-able) and what deleting an
    # account does to the feature's data (fn(session, user), before the account is anonymised).
    exports: Mapping[str, Callable[[Session, Any], Any]] = field(default_factory=dict)
    deletion_handlers: Sequence[Callable[[Session, Any], None]] = ()
    # Domain events the feature records, and its subscriptions (to its own events or others').
    events: Sequence[str] = ()
    subscriptions: Mapping[str, Sequence[Callable[..., None]]] = field(default_factory=dict)
    after_commit: Mapping[str, Sequence[Callable[..., None]]] = field(default_factory=dict)
    tasks: Sequence[Task] = ()
    cli_commands: Sequence[click.Command] = ()
    nav_links: Sequence[NavLink] = ()
    home_blocks: Sequence[HomeBlock] = ()
    demo_seeders: Sequence[DemoSeeder] = ()
    # Extra attributes the HTML sanitiser keeps on given tags (tag -> attribute names).
    html_attributes: Mapping[str, Sequence[str]] = field(default_factory=dict)
    identity: Identity | None = None
    # The header's search box posts here (an endpoint taking ?q=).
    site_search_endpoint: str | None = None
    # Keeps files that other features attach to their content (see platform/uploads.py).
    attachments: Any = None
    # Anything else the feature must do with the app (kept small; most needs fit a field above).
    init_app: Callable[[Flask], None] | None = None


# --- the registry -------------------------------------------------------------------------------


class DeclarationError(RuntimeError):
    """Two features claim the same name, or a declaration is incomplete."""


def _claim(table: dict[str, Any], owners: dict[str, str], kind: str, name: str, value: Any, feature: str) -> None:
    if name in table:
        raise DeclarationError(f"{kind} « {name} » déclaré par {owners[name]} et par {feature}")
    table[name] = value
    owners[name] = feature


@dataclass
class Registry:
    """What an app's features declared, merged; kept on the app as `app.extensions["achats"]`."""

    features: tuple[Feature, ...] = ()
    permissions: dict[str, Callable[..., bool]] = field(default_factory=dict)
    rooms: dict[str, RoomKind] = field(default_factory=dict)
    notification_kinds: dict[str, NotificationKind] = field(default_factory=dict)
    search_types: dict[str, SearchType] = field(default_factory=dict)
    search_filters: list[SearchFilter] = field(default_factory=list)
    moderation_targets: dict[str, ModerationTarget] = field(default_factory=dict)
    queue_sections: dict[str, QueueSection] = field(default_factory=dict)
    exports: dict[str, Callable[[Session, Any], Any]] = field(default_factory=dict)
    deletion_handlers: list[Callable[[Session, Any], None]] = field(default_factory=list)
    events: set[str] = field(default_factory=set)
    subscriptions: dict[str, list[Callable[..., None]]] = field(default_factory=dict)
    after_commit: dict[str, list[Callable[..., None]]] = field(default_factory=dict)
    tasks: dict[str, Task] = field(default_factory=dict)
    nav_links: list[NavLink] = field(default_factory=list)
    home_blocks: list[HomeBlock] = field(default_factory=list)
    demo_seeders: list[DemoSeeder] = field(default_factory=list)
    html_attributes: dict[str, set[str]] = field(default_factory=dict)
    identity: Identity | None = None
    site_search_endpoint: str | None = None
    attachments: Any = None
    # Filled by the shell while it assembles the app (API operations, the task queue, sockets…).
    state: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(cls, features: Sequence[Feature], *, platform: Sequence[Feature] = ()) -> Registry:
        """Merge the shell's own parts (`platform`) and the features, in order; refuse clashes."""
        reg = cls(features=tuple(features))
        owners: dict[str, dict[str, str]] = {}

        def claim(kind: str, table: dict[str, Any], name: str, value: Any, feature: str) -> None:
            _claim(table, owners.setdefault(kind, {}), kind, name, value, feature)

        seen: set[str] = set()
        events: dict[str, None] = {}
        for feature in (*platform, *features):
            if feature.name in seen:
                raise DeclarationError(f"fonctionnalité « {feature.name} » déclarée deux fois")
            seen.add(feature.name)
            f = feature.name
            for name, predicate in feature.permissions.items():
                claim("permission", reg.permissions, name, predicate, f)
            for room in feature.rooms:
                claim("salon", reg.rooms, room.prefix, room, f)
            for kind in feature.notification_kinds:
                claim("type de notification", reg.notification_kinds, kind.name, kind, f)
                if "mail" in kind.channels and not (kind.mail_template and kind.mail_subject):
                    raise DeclarationError(f"notification « {kind.name} » : le courriel demande un modèle et un objet")
            for search_type in feature.search_types:
                claim("type de recherche", reg.search_types, search_type.name, search_type, f)
            reg.search_filters.extend(feature.search_filters)
            for target in feature.moderation_targets:
                claim("cible de modération", reg.moderation_targets, target.type, target, f)
            for section in feature.queue_sections:
                claim("section de la file", reg.queue_sections, section.name, section, f)
            for name, exporter in feature.exports.items():
                claim("export", reg.exports, name, exporter, f)
            reg.deletion_handlers.extend(feature.deletion_handlers)
            for event in feature.events:
                claim("événement", events, event, None, f)
            for task in feature.tasks:
                claim("tâche", reg.tasks, task.name, task, f)
            reg.nav_links.extend(feature.nav_links)
            reg.home_blocks.extend(feature.home_blocks)
            reg.demo_seeders.extend(feature.demo_seeders)
            for tag, attributes in feature.html_attributes.items():
                reg.html_attributes.setdefault(tag, set()).update(attributes)
            if feature.identity is not None:
                if reg.identity is not None:
                    raise DeclarationError("deux fonctionnalités fournissent l'identité des comptes")
                reg.identity = feature.identity
            if feature.site_search_endpoint:
                reg.site_search_endpoint = feature.site_search_endpoint
            if feature.attachments is not None:
                if reg.attachments is not None:
                    raise DeclarationError("deux fonctionnalités gardent les pièces jointes")
                reg.attachments = feature.attachments
        reg.events = set(events)
        # Subscriptions may name events of features declared later: checked once all are known.
        for feature in (*platform, *features):
            for declared, merged in ((feature.subscriptions, reg.subscriptions), (feature.after_commit, reg.after_commit)):
                for event, handlers in declared.items():
                    if event not in reg.events:
                        continue  # the feature that records it is not in this app: nothing to hear
                    merged.setdefault(event, []).extend(handlers)
        reg.nav_links.sort(key=lambda link: link.order)
        reg.home_blocks.sort(key=lambda block: block.order)
        return reg

    def has_feature(self, name: str) -> bool:
        return any(f.name == name for f in self.features)


def registry(app: Flask | None = None) -> Registry:
    """The current app's registry (or `app`'s)."""
    from flask import current_app

    return (app or current_app).extensions["achats"]
