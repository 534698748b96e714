"""Password rules: at least 12 characters (CNIL), common and guessable passwords refused."""

from __future__ import annotations

from functools import lru_cache

from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 256
# French words zxcvbn's English lists miss, and this site's own vocabulary.
LOCAL_WORDS = [
    "motdepasse", "azerty", "achats", "achat", "marche", "marches", "public", "publique", "mairie",
    "commune", "bonjour", "soleil", "bourgogne", "franche", "comte", "dijon", "besancon", "france",
    "guichet", "vert", "doudou", "chouchou", "loulou", "marseille", "paris", "toulouse", "nicolas",
    "julien", "camille", "azertyuiop", "qwertz", "motdepasse123", "jetaime", "bienvenue",
]
# The site's password hash: scrypt (Werkzeug), salted.
HASH_METHOD = "scrypt"


def password_problems(password: str, user_inputs: list[str] | None = None) -> list[str]:
    """French messages for every rule the password breaks (empty list: acceptable)."""
    if len(password) < MIN_LENGTH:
        return [f"Le mot de passe doit compter au moins {MIN_LENGTH} caractères."]
    if len(password) > MAX_LENGTH:
        return [f"Le mot de passe doit compter au plus {MAX_LENGTH} caractères."]
    inputs = [w for w in (user_inputs or []) if w] + LOCAL_WORDS
    # zxcvbn is slow on very long inputs; long passphrases are strong anyway past 64 chars.
    result = zxcvbn(password[:64], user_inputs=[w.lower() for w in inputs])
    if result["score"] < 3:
        return [
            "Ce mot de passe est trop courant ou trop facile à deviner. Choisissez une phrase de "
            "passe de plusieurs mots sans lien entre eux, ou mélangez lettres, chiffres et symboles."
        ]
    return []


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=HASH_METHOD)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return generate_password_hash("dummy password for timing", method=HASH_METHOD)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account exists (no timing enumeration): an unknown account
    checks the password against a dummy hash of the same method."""
    if not stored_hash:
        check_password_hash(_dummy_hash(), password)
        return False
    return check_password_hash(stored_hash, password)
