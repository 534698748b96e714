"""What the auth feature brings to the platform: accounts, sign-in, profiles, roles, tokens."""

from __future__ import annotations

from achats.platform.features import DemoSeeder, Feature, NavLink, NotificationKind


def feature() -> Feature:
    from achats.auth import cli, demo, moderation, permissions
    from achats.auth.api import api
    from achats.auth.identity import identity
    from achats.auth.services.personal_data import export_api_tokens
    from achats.auth.views import bp
    from achats.platform.realtime import disconnect_user

    return Feature(
        name="auth",
        blueprints=[bp],
        api_blueprints=[api],
        identity=identity(),
        permissions=permissions.PREDICATES,
        notification_kinds=[
            NotificationKind("account_approved", "Compte validé", ("app", "mail"),
                             mail_template="account_approved", mail_subject="Votre compte Achats est validé"),
            NotificationKind("role_changed", "Changement de rôle"),
        ],
        moderation_targets=moderation.moderation_targets(),
        queue_sections=moderation.queue_sections(),
        exports={"api_tokens": export_api_tokens},
        events=["account_approved", "account_sessions_ended"],
        # Logout, password change, role change, suspension: the user's sockets close once committed.
        after_commit={"account_sessions_ended": [lambda user_id: disconnect_user(user_id)]},
        cli_commands=[cli.create_user_command, cli.create_token_command],
        nav_links=[
            NavLink("Membres", "auth.directory", order=40),
            NavLink("Modération", "auth.moderation_accounts", path_prefix="/moderation",
                    visible=permissions.can_moderate_accounts, order=90),
            NavLink("Mon profil", "auth.own_profile", menu="account", order=10),
            NavLink("Paramètres", "auth.settings", menu="account", order=20),
        ],
        demo_seeders=[DemoSeeder("accounts", demo.seed, present=demo.present)],
    )
