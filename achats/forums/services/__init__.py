"""Forum services: the business rules every view, the API and the sockets call.

They take the acting user explicitly, flush but never commit, and raise ForumError subclasses.
"""

from achats.forums.services.answers import (
    accept_post,
    bookmarks_query,
    mark_needs_review,
    set_up_to_date,
    set_watch,
    take_question,
    toggle_bookmark,
    toggle_useful,
    unaccept_post,
    watch_level,
)
from achats.forums.services.content import (
    author_name,
    clean_text,
    excerpt,
    quote_markdown,
    quoted_refs,
    render_post,
)
from achats.forums.services.desk import desk_stats, desk_stats_csv
from achats.forums.services.errors import (
    AlreadyFlagged,
    EditWindowClosed,
    ForumError,
    InvalidInput,
    NotAllowed,
    ThreadLocked,
)
from achats.forums.services.listing import (
    TagInfo,
    ThreadLike,
    ThreadListPage,
    ThreadRow,
    thread_list_page,
    thread_rows,
)
from achats.forums.services.moderating import (
    flag_post,
    hide_post,
    move_thread,
    restore_post,
    set_thread_flags,
)
from achats.forums.services.posting import (
    create_post,
    create_thread,
    delete_post,
    edit_post,
    resolve_tags,
)
from achats.forums.services.reading import (
    PER_PAGE,
    CategoryInfo,
    CategoryRow,
    LastThread,
    accepted_post_ids,
    categories_overview,
    category_info,
    get_category,
    get_post,
    get_thread,
    mark_read,
    read_thread,
    sees_hidden_threads,
    threads_query,
    unanswered_clause,
    unread_counts,
)
from achats.forums.services.related import (
    related_threads,
    similar_titles,
)
from achats.forums.services.stats import post_path, refresh_thread_stats, thread_path, valid_id
from achats.forums.services.thread_page import (
    HIDDEN_HTML,
    WITHDRAWN_HTML,
    ThreadPage,
    attachments_of,
    page_of,
    posts_query,
    thread_page,
)

__all__ = [
    "HIDDEN_HTML", "PER_PAGE", "WITHDRAWN_HTML", "AlreadyFlagged", "CategoryInfo", "CategoryRow", "EditWindowClosed",
    "ForumError", "InvalidInput", "LastThread", "NotAllowed", "TagInfo", "ThreadLike", "ThreadListPage", "ThreadLocked",
    "ThreadPage", "ThreadRow", "accept_post", "attachments_of",
    "accepted_post_ids", "author_name", "bookmarks_query", "categories_overview", "clean_text", "create_post",
    "create_thread", "delete_post", "desk_stats", "desk_stats_csv", "edit_post", "excerpt",
    "category_info", "flag_post", "get_category", "get_post", "get_thread", "hide_post", "mark_needs_review",
    "mark_read", "move_thread", "page_of", "post_path", "posts_query", "quote_markdown", "quoted_refs", "read_thread",
    "refresh_thread_stats", "related_threads", "render_post", "resolve_tags", "restore_post", "set_thread_flags",
    "sees_hidden_threads", "set_up_to_date", "set_watch", "similar_titles", "take_question", "thread_list_page",
    "thread_page", "thread_path", "thread_rows",
    "threads_query", "toggle_bookmark", "toggle_useful", "unaccept_post", "unanswered_clause", "unread_counts",
    "valid_id", "watch_level",
]
