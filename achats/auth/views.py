"""Account pages: register, confirm, log in and out, reset, profile, settings, members, approvals."""

from __future__ import annotations

import json
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from achats.auth import forms, services
from achats.auth.models import AccountStatus, Organisation, User
from achats.auth.permissions import (
    can_change_role,
    can_edit_profile,
    can_moderate_accounts,
    can_suspend,
    can_view_members,
)
from achats.platform import throttle
from achats.platform.downloads import attachment
from achats.platform.extensions import db, limiter
from achats.platform.ids import parse_page
from achats.platform.security import require, safe_next

bp = Blueprint("auth", __name__)


def signed_in_user() -> User:
    """The signed-in account, loaded in this request's session (403 if it vanished meanwhile)."""
    user = db.session.get(User, current_user.id)
    if user is None:
        abort(403)
    return user


def client_ip() -> str | None:
    return request.remote_addr


# Sign-in throttling (README, "Security notes"): failures only count. Per account and client
# address, a small budget: an attacker's address is slowed, the owner's elsewhere is not. Per
# account, a high ceiling over every address, which a successful password reset clears: the owner
# is never locked out for longer than it takes to reset. Per address, every account together.
LOGIN_PER_ACCOUNT_AND_ADDRESS = "10 per 15 minutes"
LOGIN_PER_ACCOUNT = "100 per hour"


def _login_account() -> str:
    return (request.form.get("email") or "").strip().lower()[:254]


def login_throttled(account: str) -> bool:
    return not (throttle.allowed(LOGIN_PER_ACCOUNT_AND_ADDRESS, "login", account, client_ip() or "")
                and throttle.allowed(LOGIN_PER_ACCOUNT, "login", account))


def login_failed(account: str) -> None:
    throttle.hit(LOGIN_PER_ACCOUNT_AND_ADDRESS, "login", account, client_ip() or "")
    throttle.hit(LOGIN_PER_ACCOUNT, "login", account)


def clear_login_failures(account: str, *, everywhere: bool = False) -> None:
    throttle.clear(LOGIN_PER_ACCOUNT_AND_ADDRESS, "login", account, client_ip() or "")
    if everywhere:
        throttle.clear(LOGIN_PER_ACCOUNT, "login", account)


def _failed(response: Response) -> bool:
    # Only failures count towards the throttle: the owner is never locked out by their successes.
    return response.status_code != 302


def apply_form_error(form: Any, exc: services.AccountError) -> None:
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*list(field.errors or []), str(exc)]
    else:
        form.form_errors.append(str(exc))


# --- registration -----------------------------------------------------------------------------


@bp.route("/compte/inscription", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"], error_message="Trop d'inscriptions depuis cette adresse.")
def register() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("platform.home"))
    form = forms.RegistrationForm()
    if form.validate_on_submit():
        data = services.Registration(
            name=form.name.data or "",
            email=form.email.data or "",
            password=form.password.data or "",
            job_title=form.job_title.data,
            organisation=services.OrganisationInput(
                name=form.organisation_name.data or "", kind=form.organisation_kind.data or "",
                siret=form.siret.data or "", departement=form.departement.data or "",
            ),
        )
        try:
            services.register(db.session, data, ip=client_ip())
        except services.AccountError as exc:
            db.session.rollback()
            apply_form_error(form, exc)
        else:
            db.session.commit()
            session["registered_email"] = (form.email.data or "").strip()
            return redirect(url_for("auth.registered"))
    return render_template("auth/register.html", form=form), 400 if form.errors else 200


@bp.get("/compte/inscription/envoyee")
def registered() -> str:
    return render_template(
        "auth/registered.html",
        email=session.get("registered_email"),
        approval=current_app.config.get("ACHATS_REQUIRE_APPROVAL", True),
    )


@bp.get("/compte/confirmer/<token>")
def confirm_email(token: str) -> Any:
    # GET shows a button; the state change happens on POST (mail scanners follow GET links).
    return render_template("auth/confirm.html", token=token)


@bp.post("/compte/confirmer/<token>")
def confirm_email_post(token: str) -> Any:
    try:
        user = services.confirm_email(db.session, token)
    except services.InvalidToken as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("auth.login"))
    db.session.commit()
    if user.status == AccountStatus.PENDING:
        flash("Adresse confirmée. Un modérateur va vérifier votre organisme (sous 2 jours ouvrés en général) ; "
              "vous pouvez déjà vous connecter et lire les échanges.", "success")
    else:
        flash("Adresse confirmée : vous pouvez vous connecter.", "success")
    return redirect(url_for("auth.login"))


# --- sign-in ----------------------------------------------------------------------------------


@bp.route("/compte/connexion", methods=["GET", "POST"])
@limiter.limit("20 per 10 minutes", methods=["POST"], deduct_when=_failed)
def login() -> Any:
    form = forms.LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(form.next.data, url_for("platform.home")))
    if form.validate_on_submit():
        account = _login_account()
        if login_throttled(account):
            form.form_errors.append(
                "Trop de tentatives de connexion à ce compte. Patientez quelques minutes, ou réinitialisez "
                "votre mot de passe : un lien vous sera envoyé par courriel.")
            return render_template("auth/login.html", form=form), 429
        try:
            user = services.authenticate(db.session, form.email.data or "", form.password.data or "", ip=client_ip())
        except services.LoginRefused as exc:
            db.session.commit()  # keep the audit entry of the failure
            login_failed(account)
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            clear_login_failures(account)
            session.clear()  # a new session at login: nothing carried over from before
            login_user(user, remember=bool(form.remember.data))
            session.permanent = True
            flash(f"Bienvenue, {user.name}.", "success")
            return redirect(safe_next(form.next.data, url_for("platform.home")))
    status = 200 if request.method == "GET" or not form.errors and not form.form_errors else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/compte/deconnexion")
@login_required
def logout() -> Any:
    user = signed_in_user()
    if user is not None:
        services.end_sessions(db.session, user, "logout")
        db.session.commit()
    logout_user()
    session.clear()
    flash("Vous êtes déconnecté.", "info")
    return redirect(url_for("platform.home"))


@bp.route("/compte/mot-de-passe-oublie", methods=["GET", "POST"])
@limiter.limit("5 per 15 minutes", methods=["POST"])
def forgot_password() -> Any:
    form = forms.ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(db.session, form.email.data or "", ip=client_ip())
        db.session.commit()
        flash("Si un compte existe pour cette adresse, un lien de réinitialisation vient d'y être envoyé "
              "(valable une heure).", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/compte/reinitialiser/<token>", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"])
def reset_password(token: str) -> Any:
    form = forms.ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.reset_password(db.session, token, form.password.data or "")
        except services.InvalidToken as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for("auth.forgot_password"))
        except services.AccountError as exc:
            db.session.rollback()
            apply_form_error(form, exc)
        else:
            db.session.commit()
            clear_login_failures((user.email or "").lower(), everywhere=True)  # the owner is back in
            logout_user()
            flash("Mot de passe modifié : connectez-vous avec le nouveau.", "success")
            return redirect(url_for("auth.login"))
    elif request.method == "GET" and services.peek_email_token(
        db.session, token, services.EmailTokenPurpose.RESET_PASSWORD
    ) is None:
        flash("Ce lien n'est plus valable : il a déjà servi ou il a expiré. Demandez-en un nouveau.", "error")
        return redirect(url_for("auth.forgot_password"))
    return render_template("auth/reset_password.html", form=form, token=token)


# --- profile, members, organisations ---------------------------------------------------------


@bp.get("/membres/<int:user_id>")
@require(can_view_members)
def show_user(user_id: int) -> Any:
    user = db.get_or_404(User, user_id)
    if user.status == AccountStatus.DELETED and user.id != current_user.id:
        abort(404)
    role_form = forms.RoleForm(role=str(user.role))
    return render_template("auth/user_show.html", user=user, role_form=role_form, reason_form=forms.ReasonForm(),
                           can_change_role=can_change_role(current_user, user),
                           can_suspend=can_suspend(current_user, user))


@bp.get("/compte/moi")
@login_required
def own_profile() -> Any:
    """The signed-in person's public profile (the account menu links here)."""
    return redirect(url_for("auth.show_user", user_id=current_user.id))


@bp.route("/compte/profil", methods=["GET", "POST"])
@login_required
def edit_profile() -> Any:
    user = signed_in_user()
    if user is None or not can_edit_profile(current_user, user):
        abort(403)
    form = forms.ProfileForm(obj=user if request.method == "GET" else None)
    if request.method == "GET":
        form.themes.data = user.themes
    if form.validate_on_submit():
        try:
            services.update_profile(db.session, user, name=form.name.data or "", job_title=form.job_title.data,
                                    bio=form.bio.data, themes=form.themes.data or [])
        except services.AccountError as exc:
            db.session.rollback()
            apply_form_error(form, exc)
        else:
            db.session.commit()
            flash("Profil enregistré.", "success")
            return redirect(url_for("auth.show_user", user_id=user.id))
    return render_template("auth/profile_edit.html", form=form), 400 if form.errors else 200


@bp.get("/membres/")
@require(can_view_members)
def directory() -> str:
    q = (request.args.get("q") or "").strip()[:100]
    role = request.args.get("role") or None
    theme = request.args.get("theme") or None
    page = db.paginate(services.members_query(q, role, theme), page=parse_page(request.args.get("page")),
                       per_page=30, error_out=False)
    return render_template("auth/directory.html", page=page, q=q, role=role, theme=theme)


@bp.get("/organisations/<int:organisation_id>")
@require(can_view_members)
def show_organisation(organisation_id: int) -> str:
    org = db.get_or_404(Organisation, organisation_id)
    members = db.session.scalars(services.members_query(organisation_id=org.id)).all()
    return render_template("auth/organisation_show.html", organisation=org, members=members)


# --- settings ---------------------------------------------------------------------------------


def _settings_context(**overrides: Any) -> dict[str, Any]:
    user = current_user
    context = {
        "notif_form": forms.NotificationSettingsForm(email_notifications=user.email_notifications),
        "password_form": forms.ChangePasswordForm(),
        "token_form": forms.TokenForm(),
        "delete_form": forms.DeleteAccountForm(),
        "tokens": db.session.scalars(services.user_tokens_query(user).order_by(services.ApiToken.id)).all(),
        "new_token": None,
    }
    context.update(overrides)
    return context


@bp.get("/compte/parametres")
@login_required
def settings() -> str:
    return render_template("auth/settings.html", **_settings_context())


@bp.post("/compte/parametres/notifications")
@login_required
def save_notification_settings() -> Any:
    form = forms.NotificationSettingsForm()
    if form.validate_on_submit():
        user = signed_in_user()
        user.email_notifications = bool(form.email_notifications.data)
        db.session.commit()
        flash("Préférences enregistrées.", "success")
    return redirect(url_for("auth.settings"))


@bp.post("/compte/parametres/mot-de-passe")
@login_required
@limiter.limit("10 per hour")
def change_password() -> Any:
    form = forms.ChangePasswordForm()
    user = signed_in_user()
    if form.validate_on_submit() and user is not None:
        try:
            services.change_password(db.session, user, form.current_password.data or "", form.password.data or "")
        except services.AccountError as exc:
            db.session.rollback()
            apply_form_error(form, exc)
        else:
            db.session.commit()
            # Every other session ended; this one continues with the new token.
            login_user(user)
            flash("Mot de passe modifié. Vos autres sessions ont été fermées.", "success")
            return redirect(url_for("auth.settings"))
    return render_template("auth/settings.html", **_settings_context(password_form=form)), 400


@bp.post("/compte/parametres/jetons")
@login_required
def create_token() -> Any:
    form = forms.TokenForm()
    if form.validate_on_submit():
        user = signed_in_user()
        try:
            _, secret = services.create_api_token(db.session, user, form.name.data or "")
        except services.AccountError as exc:
            db.session.rollback()
            apply_form_error(form, exc)
        else:
            db.session.commit()
            return render_template("auth/settings.html", **_settings_context(new_token=secret))
    return render_template("auth/settings.html", **_settings_context(token_form=form)), 400


@bp.post("/compte/parametres/jetons/<int:token_id>/revoquer")
@login_required
def revoke_token(token_id: int) -> Any:
    if services.revoke_api_token(db.session, current_user, token_id) is None:
        abort(404)
    db.session.commit()
    flash("Jeton révoqué.", "success")
    return redirect(url_for("auth.settings"))


@bp.get("/compte/export.json")
@login_required
@limiter.limit("10 per hour")
def export_data() -> Response:
    user = signed_in_user()
    data = services.export_user_data(db.session, user)
    return attachment(json.dumps(data, ensure_ascii=False, indent=2), "application/json", "achats-mes-donnees.json",
                      cache_control="no-store")


@bp.post("/compte/supprimer")
@login_required
@limiter.limit("10 per hour")
def delete_account() -> Any:
    form = forms.DeleteAccountForm()
    user = signed_in_user()
    if form.validate_on_submit() and user is not None:
        try:
            services.delete_account(db.session, user, form.password.data, form.confirm.data or "")
        except services.AccountError as exc:
            db.session.rollback()
            apply_form_error(form, exc)
        else:
            db.session.commit()
            logout_user()
            session.clear()
            flash("Votre compte a été supprimé. Vos messages restent visibles, sans votre nom.", "info")
            return redirect(url_for("platform.home"))
    return render_template("auth/settings.html", **_settings_context(delete_form=form)), 400


# --- moderators and admins --------------------------------------------------------------------


@bp.get("/moderation/comptes")
@require(can_moderate_accounts)
def moderation_accounts() -> str:
    pending = db.session.scalars(services.pending_accounts_query()).all()
    return render_template("auth/moderation_accounts.html", pending=pending, reason_form=forms.ReasonForm())


@bp.post("/moderation/comptes/<int:user_id>/<any(approuver, refuser):decision>")
@require(can_moderate_accounts)
def decide_account(user_id: int, decision: str) -> Any:
    form = forms.ReasonForm()
    user = db.get_or_404(User, user_id)
    if not form.validate_on_submit():
        abort(400)
    moderator = signed_in_user()
    try:
        if decision == "approuver":
            services.approve_account(db.session, moderator, user, form.reason.data)
            message = f"Compte de {user.name} validé."
        else:
            services.reject_account(db.session, moderator, user, form.reason.data or "")
            message = f"Demande de {user.name} refusée."
    except services.AccountError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("auth.moderation_accounts"))


@bp.post("/membres/<int:user_id>/role")
@login_required
def set_role(user_id: int) -> Any:
    user = db.get_or_404(User, user_id)
    if not can_change_role(current_user, user):
        abort(403)
    form = forms.RoleForm()
    if form.validate_on_submit():
        admin = signed_in_user()
        try:
            services.change_role(db.session, admin, user, form.role.data or "")
        except services.AccountError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(f"Rôle de {user.name} modifié.", "success")
    return redirect(url_for("auth.show_user", user_id=user.id))


@bp.post("/membres/<int:user_id>/<any(suspendre, retablir):decision>")
@login_required
def suspend_user(user_id: int, decision: str) -> Any:
    user = db.get_or_404(User, user_id)
    if not can_suspend(current_user, user):
        abort(403)
    form = forms.ReasonForm()
    if not form.validate_on_submit():
        abort(400)
    moderator = signed_in_user()
    try:
        if decision == "suspendre":
            services.suspend_account(db.session, moderator, user, form.reason.data or "")
        else:
            services.reinstate_account(db.session, moderator, user, form.reason.data)
    except services.AccountError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash("Compte suspendu." if decision == "suspendre" else "Compte rétabli.", "success")
    return redirect(url_for("auth.show_user", user_id=user.id))


_ = select
