"""Account rules, by what they own: accounts, registration, e-mail tokens, sign-in, moderation,
API tokens and personal data. They take the actor explicitly, flush and never commit."""

from achats.auth.models import ApiToken, EmailTokenPurpose
from achats.auth.services.accounts import (
    OrganisationInput,
    create_account,
    find_or_create_organisation,
    find_user_by_email,
    make_handle,
    members_query,
    normalise_email,
    update_profile,
)
from achats.auth.services.email_tokens import (
    consume_email_token,
    issue_email_token,
    peek_email_token,
)
from achats.auth.services.errors import (
    GENERIC_LOGIN_ERROR,
    AccountError,
    InvalidToken,
    LoginRefused,
)
from achats.auth.services.moderation import (
    approve_account,
    change_role,
    lift_expired_suspension,
    pending_accounts_query,
    reinstate_account,
    reject_account,
    suspend_account,
)
from achats.auth.services.personal_data import delete_account, export_user_data
from achats.auth.services.registration import (
    CONFIRM_TTL,
    RESET_TTL,
    Registration,
    confirm_email,
    register,
    send_confirmation,
)
from achats.auth.services.signin import (
    authenticate,
    change_password,
    end_sessions,
    request_password_reset,
    reset_password,
    set_password,
)
from achats.auth.services.tokens import (
    MAX_TOKENS,
    create_api_token,
    revoke_api_token,
    user_from_api_token,
    user_tokens_query,
)

__all__ = [
    "CONFIRM_TTL", "GENERIC_LOGIN_ERROR", "MAX_TOKENS", "RESET_TTL", "AccountError", "ApiToken", "EmailTokenPurpose",
    "InvalidToken", "LoginRefused", "OrganisationInput", "Registration", "approve_account", "authenticate",
    "change_password", "change_role", "confirm_email", "consume_email_token", "create_account", "create_api_token",
    "delete_account", "end_sessions", "export_user_data", "find_or_create_organisation", "find_user_by_email",
    "issue_email_token", "lift_expired_suspension", "make_handle", "members_query", "normalise_email",
    "peek_email_token", "pending_accounts_query", "register", "reinstate_account", "reject_account",
    "request_password_reset", "reset_password", "revoke_api_token", "send_confirmation", "set_password",
    "suspend_account", "update_profile", "user_from_api_token", "user_tokens_query",
]
