"""Wires the forums into the platform when their API blueprint is registered (nothing at import time)."""

from __future__ import annotations

from flask.blueprints import BlueprintSetupState

from achats.forums.api import api


@api.record_once
def _setup(state: BlueprintSetupState) -> None:
    from achats.forums import permissions, signals, sockets
    from achats.forums.services import moderating
    from achats.platform import realtime, search
    from achats.platform.moderation.api import register_action_handler, register_queue_provider
    from achats.platform.templating import register_permissions

    app = state.app
    register_permissions(app, permissions.PREDICATES)
    realtime.register_room(sockets.ROOM_PREFIX, sockets.authorise_thread_room)
    register_action_handler("post", moderating.post_action)
    register_action_handler("thread", moderating.thread_action)
    register_action_handler("flag", moderating.flag_action)
    register_queue_provider("flags", moderating.flags_queue)
    app.extensions.setdefault("achats_exporters", {})["forum_posts"] = signals.export_posts
    search.register_reindexer("thread", signals.reindex_threads)
    search.register_reindexer("post", signals.reindex_posts)
    signals.connect()
